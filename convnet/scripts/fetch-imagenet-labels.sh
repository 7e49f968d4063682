#!/usr/bin/env bash
# Prints the path of the 1000 ImageNet class labels (Keras' order) from npm's @tensorflow-models/mobilenet,
# fetching the package once into a cache folder. No label list is committed to this repository.
#   ./convnet.sh keras import --weights vgg16_weights_tf_dim_ordering_tf_kernels.h5 \
#       --labels "$(convnet/scripts/fetch-imagenet-labels.sh)"
# Debian's alternative: apt-get install opencv-doc, then
#   /usr/share/doc/opencv-doc/examples/data/dnn/classification_classes_ILSVRC2012.txt
set -euo pipefail
version=2.1.1
dir="${CONVNET_LABELS_CACHE:-$HOME/.cache/convnet-imagenet-labels}/mobilenet-$version"
file="$dir/package/dist/imagenet_classes.js"
if [ ! -f "$file" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "@tensorflow-models/mobilenet@$version" >/dev/null 2>&1 \
    && tar xzf "tensorflow-models-mobilenet-$version.tgz" package/dist/imagenet_classes.js \
    && rm -f "tensorflow-models-mobilenet-$version.tgz")
fi
echo "$file"
