package io.convnet.cli;

import io.convnet.arch.Architecture;
import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.bundle.ModelBundle;
import io.convnet.keras.ClassLabels;
import io.convnet.keras.KerasH5Writer;
import io.convnet.keras.KerasWeight;
import io.convnet.keras.KerasWeightImporter;
import io.convnet.keras.KerasWeightsFile;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import io.convnet.nn.Sequential;
import io.convnet.nn.Tensors;
import io.convnet.transfer.BaseAndHead;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keras", mixinStandardHelpOptions = true,
    description = "Keras .h5 weights: import a pretrained model as a bundle, or write weights in Keras' layout.",
    subcommands = {KerasCommand.Import.class, KerasCommand.Export.class})
final class KerasCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: import or export");
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Builds the architecture, loads every layer from a Keras .h5 file (by name, shapes checked) and "
          + "publishes it as the next version of a model, e.g. VGG16 with its ImageNet top and 1000 labels.")
  static final class Import implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-a", "--arch"}, defaultValue = "vgg16-top", description = "default: ${DEFAULT-VALUE}")
    String arch;

    @Option(names = "--weights", required = true, description = "e.g. vgg16_weights_tf_dim_ordering_tf_kernels.h5")
    Path weights;

    @Option(names = "--labels", required = true, description = "class labels: one per line, JSON, or the npm "
        + "@tensorflow-models/mobilenet imagenet_classes.js (see convnet/README.md, VGG16)")
    Path labels;

    @Option(names = {"-m", "--model"}, description = "model name (default: the architecture's, vgg16-imagenet)")
    String model;

    @Option(names = "--image-size", defaultValue = "0", description = "0 = the architecture's (224)")
    int imageSize;

    @Option(names = {"-o", "--output"}, defaultValue = "${env:CONVNET_MODEL_STORE:-models}")
    Path output;

    @Override
    public Integer call() {
      Architecture a = Architectures.get(arch);
      String name = BundleStore.checkModelName(model == null ? a.defaultModelName() : model);
      int size = imageSize == 0 ? a.defaultImageSize() : imageSize;
      int classes;
      try (KerasWeightsFile f = KerasWeightsFile.open(weights)) {
        classes = outputUnits(f, a.define(size, 2));
      }
      List<String> names = ClassLabels.read(labels, classes == 1 ? 2 : classes);
      Sequential s = a.define(size, names.size()).name(name);
      try (Model m = s.build(0)) {
        KerasWeightImporter.Report r = KerasWeightImporter.load(m, weights);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("imported_from", weights.getFileName().toString());
        training.put("keras_version", r.kerasVersion());
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, name, 0, a.id(), Instant.now().toString(), null,
            new Manifest.Preprocessing(a.preprocessing(), a.preprocessing().equals("RESCALE") ? 1 / 255.0 : 1.0),
            names, null, null, null, null, training, null);
        BundleStore store = new BundleStore(output);
        int version = store.publish(name, m, manifest);
        spec.commandLine().getOut().printf("imported %d layers (%,d parameters) from %s; published %s version %d in %s%n",
            r.loaded().size(), r.parameters(), weights, name, version, store.path(name, version));
      }
      return 0;
    }

    /** Units of the file's last weighted layer: the classes (the model's last layer must be in the file). */
    private static int outputUnits(KerasWeightsFile f, Sequential s) {
      String last = s.layerNames().get(s.layerNames().size() - 1);
      List<KerasWeight> w = f.layers().get(last);
      if (w == null || w.isEmpty()) {
        throw new IllegalArgumentException(f.file() + " has no layer '" + last + "' (a file without the top?); "
            + "its layers with weights: " + f.weightedLayers());
      }
      return w.stream().filter(x -> x.shape().length == 1).findFirst().orElseThrow().shape()[0];
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Writes a model's weights in Keras' .h5 layout: a published bundle's, or freshly initialised ones "
          + "(random, from --seed: the stand-in for downloaded ImageNet weights where none can be downloaded).")
  static final class Export implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-a", "--arch"}, defaultValue = "vgg16", description = "default: ${DEFAULT-VALUE}")
    String arch;

    @Option(names = "--bundle", description = "a bundle directory to export (default: a freshly initialised model)")
    Path bundle;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--image-size", defaultValue = "0", description = "0 = the architecture's")
    int imageSize;

    @Option(names = "--classes", defaultValue = "2")
    int classes;

    @Option(names = "--notop", description = "only the convolutional base (as ..._notop.h5)")
    boolean notop;

    @Option(names = {"-o", "--out"}, required = true, description = "the .h5 file to write")
    Path out;

    @Override
    public Integer call() {
      Sequential s;
      ModelBundle b = bundle == null ? null : ModelBundle.load(bundle);
      try {
        if (b != null) {
          Manifest mf = b.manifest();
          s = Architectures.get(mf.architecture()).define(mf.input().height(), mf.labels().size());
        } else {
          Architecture a = Architectures.get(arch);
          s = a.define(imageSize == 0 ? a.defaultImageSize() : imageSize, classes);
        }
        try (Model m = s.build(seed)) {
          if (b != null) {
            for (ModelVariable v : m.variables().values()) {
              try (Result r = b.session().runner().fetch(v.name()).run()) {
                m.setWeight(v.name(), Tensors.flat((TFloat32) r.get(0)));
              }
            }
          }
          KerasH5Writer.Options o = KerasH5Writer.Options.APPLICATIONS;
          if (notop) {
            o = o.onlyLayers(BaseAndHead.of(s).base());
          }
          KerasH5Writer.write(m, out, o);
        }
      } finally {
        if (b != null) {
          b.close();
        }
      }
      spec.commandLine().getOut().printf("wrote %s (%s%s)%n", out, notop ? "base of " : "",
          bundle != null ? bundle.toString() : s.name() + ", random weights from seed " + seed);
      return 0;
    }
  }
}
