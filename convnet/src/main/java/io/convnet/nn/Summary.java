package io.convnet.nn;

import java.util.Locale;

/** Keras' {@code model.summary()} table. */
final class Summary {
  private Summary() {}

  static String format(Sequential model) {
    String rule = "_".repeat(65);
    String doubleRule = "=".repeat(65);
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(model.name()).append("\"\n").append(rule).append('\n');
    sb.append(row("Layer (type)", "Output Shape", "Param #")).append(doubleRule).append('\n');
    var infos = model.layerInfos();
    for (int i = 0; i < infos.size(); i++) {
      LayerInfo l = infos.get(i);
      sb.append(row(l.name() + " (" + l.type() + ")", Shapes.format(l.outputShape()), group(l.params())));
      sb.append(i == infos.size() - 1 ? doubleRule : rule).append('\n');
    }
    long total = model.paramCount();
    long trainable = model.trainableParamCount();
    sb.append("Total params: ").append(group(total)).append('\n');
    sb.append("Trainable params: ").append(group(trainable)).append('\n');
    sb.append("Non-trainable params: ").append(group(total - trainable)).append('\n');
    sb.append(rule).append('\n');
    return sb.toString();
  }

  private static String row(String a, String b, String c) {
    return String.format(Locale.ROOT, " %-28s%-26s%s%n", a, b, c);
  }

  private static String group(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
