package io.convnet.gateway.training;

import io.convnet.kit.ServiceException;
import io.convnet.limits.TrainingLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.TrainJob;
import io.convnet.proto.TransferLearning;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The JSON body of {@code POST /v1/training-jobs}: the command line's parameters in camelCase,
 * each optional with the command line's default (both read {@link TrainingLimits}). Every problem
 * is named at once (unknown fields, wrong types, values out of range, a data path that could
 * leave the data root).
 * Whether the data exists is the trainer's to find out: it alone sees the data root.
 */
final class JobSpecs {
  static final String DEFAULT_DATA_DIR = "cats-vs-dogs";
  static final int MAX_PATIENCE = TrainingLimits.MAX_EPOCHS;
  static final int MAX_IMAGES_PER_CLASS = 100_000_000;
  static final int MAX_DATA_DIR_LENGTH = 1024;

  static final List<String> FIELDS = List.of("architecture", "model", "dataDir", "epochs", "batchSize", "augment",
      "optimizer", "learningRate", "seed", "maxImagesPerClass", "imageSize", "patience", "transfer");
  static final List<String> TRANSFER_FIELDS = List.of("weights", "freezeBase", "cacheBottleneck", "fineTuneEpochs",
      "fineTuneLearningRate", "fineTuneFrom");
  private static final Pattern LAYER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,127}");
  private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*");

  private JobSpecs() {
  }

  /** A job from {@code body} with defaults filled in (no id yet); INVALID_ARGUMENT naming every problem. */
  static TrainJob.Builder parse(JsonObject body) {
    Reader r = new Reader(body);
    List<String> unknown = body.fieldNames().stream().filter(f -> !FIELDS.contains(f)).sorted().toList();
    if (!unknown.isEmpty()) {
      r.problems.add("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream()
          .map(f -> "'" + f + "'").toList()) + "; known: " + String.join(", ", FIELDS));
    }
    String architecture = r.string("architecture", TrainingLimits.DEFAULT_ARCHITECTURE);
    String model = r.string("model", TrainingLimits.ARCHITECTURES.contains(architecture)
        ? TrainingLimits.defaultModel(architecture) : TrainingLimits.DEFAULT_MODEL);
    String dataDir = r.string("dataDir", DEFAULT_DATA_DIR);
    long epochs = r.whole("epochs", TrainingLimits.DEFAULT_EPOCHS);
    long batchSize = r.whole("batchSize", TrainingLimits.DEFAULT_BATCH_SIZE);
    boolean augment = r.bool("augment", true);
    String optimizer = r.string("optimizer", TrainingLimits.DEFAULT_OPTIMIZER);
    double learningRate = r.number("learningRate", TrainingLimits.DEFAULT_LEARNING_RATE);
    long seed = r.whole("seed", TrainingLimits.DEFAULT_SEED);
    long maxImagesPerClass = r.whole("maxImagesPerClass", 0);
    long imageSize = r.whole("imageSize", 0);
    long patience = r.whole("patience", 0);

    List<String> p = r.problems;
    TransferLearning transfer = transfer(body, p);
    if (architecture != null && !TrainingLimits.ARCHITECTURES.contains(architecture)) {
      p.add("unknown architecture '" + architecture + "'; known: " + String.join(", ", TrainingLimits.ARCHITECTURES));
    }
    if (model != null && !TrainingLimits.MODEL_NAME.matcher(model).matches()) {
      p.add("invalid model name '" + model + "': use 1-64 lower-case letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit");
    }
    if (dataDir != null) {
      checkRelativePath("dataDir", dataDir, "a folder relative to the data root, e.g. 'cats-vs-dogs'", p);
    }
    range(p, "epochs", epochs, 1, TrainingLimits.MAX_EPOCHS);
    range(p, "batchSize", batchSize, 1, TrainingLimits.MAX_BATCH_SIZE);
    if (optimizer != null && !TrainingLimits.OPTIMIZERS.contains(optimizer.toLowerCase(Locale.ROOT))) {
      p.add("unknown optimizer '" + optimizer + "'; known: " + String.join(", ", TrainingLimits.OPTIMIZERS));
    }
    if (!(learningRate > 0 && learningRate <= TrainingLimits.MAX_LEARNING_RATE)) {
      p.add("learningRate must be > 0 and <= " + TrainingLimits.plain(TrainingLimits.MAX_LEARNING_RATE) + ", got "
          + learningRate);
    }
    range(p, "maxImagesPerClass", maxImagesPerClass, 0, MAX_IMAGES_PER_CLASS);
    if (imageSize != 0 && (imageSize < TrainingLimits.MIN_IMAGE_SIZE || imageSize > TrainingLimits.MAX_IMAGE_SIZE)) {
      p.add("imageSize must be 0 (the architecture's default) or " + TrainingLimits.MIN_IMAGE_SIZE + ".."
          + TrainingLimits.MAX_IMAGE_SIZE + ", got " + imageSize);
    }
    range(p, "patience", patience, 0, MAX_PATIENCE);
    if (!p.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, String.join("; ", p));
    }
    TrainJob.Builder job = TrainJob.newBuilder().setArchitecture(architecture).setModel(model).setDataDir(dataDir)
        .setEpochs((int) epochs).setBatchSize((int) batchSize).setAugment(augment)
        .setOptimizer(optimizer.toLowerCase(Locale.ROOT)).setLearningRate(learningRate).setSeed(seed)
        .setMaxImagesPerClass((int) maxImagesPerClass).setImageSize((int) imageSize).setPatience((int) patience);
    return transfer == null ? job : job.setTransfer(transfer);
  }

  /**
   * The optional {@code transfer} object (transfer learning and fine-tuning), checked as the trainer's
   * {@code TransferOptions} does; null when absent. Whether the weights file exists is the trainer's to find out.
   */
  private static TransferLearning transfer(JsonObject body, List<String> p) {
    Object v = body.getValue("transfer");
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject t)) {
      p.add("transfer must be an object like {\"weights\": \"imagenet/vgg16_notop.h5\", \"freezeBase\": true}, got "
          + Reader.describe(v));
      return null;
    }
    Reader r = new Reader(t, "transfer.");
    List<String> unknown = t.fieldNames().stream().filter(f -> !TRANSFER_FIELDS.contains(f)).sorted().toList();
    if (!unknown.isEmpty()) {
      p.add("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream()
          .map(f -> "'transfer." + f + "'").toList()) + "; known in transfer: " + String.join(", ", TRANSFER_FIELDS));
    }
    String weights = r.string("weights", "");
    boolean freezeBase = r.bool("freezeBase", false);
    boolean cacheBottleneck = r.bool("cacheBottleneck", false);
    long fineTuneEpochs = r.whole("fineTuneEpochs", 0);
    double fineTuneLearningRate = r.number("fineTuneLearningRate", 0);
    String fineTuneFrom = r.string("fineTuneFrom", "");
    p.addAll(r.problems);
    if (weights != null && !weights.isEmpty()) {
      checkRelativePath("transfer.weights", weights,
          "a Keras .h5 file relative to the data root, e.g. 'imagenet/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'",
          p);
    }
    range(p, "transfer.fineTuneEpochs", fineTuneEpochs, 0, TrainingLimits.MAX_EPOCHS);
    if (!(fineTuneLearningRate >= 0 && fineTuneLearningRate <= TrainingLimits.MAX_LEARNING_RATE)) {
      p.add("transfer.fineTuneLearningRate must be 0 (the default, " + TrainingLimits.DEFAULT_FINE_TUNE_LEARNING_RATE
          + ") or > 0 and <= " + TrainingLimits.plain(TrainingLimits.MAX_LEARNING_RATE) + ", got "
          + fineTuneLearningRate);
    }
    if (fineTuneFrom != null && !fineTuneFrom.isEmpty() && !LAYER_NAME.matcher(fineTuneFrom).matches()) {
      p.add("transfer.fineTuneFrom '" + printable(fineTuneFrom) + "' is not a layer name (e.g. 'block5_conv1')");
    }
    if (cacheBottleneck && !freezeBase) {
      p.add("transfer.cacheBottleneck needs transfer.freezeBase: cached features hold only while the base does not "
          + "train");
    }
    if (fineTuneEpochs > 0 && !freezeBase) {
      p.add("transfer.fineTuneEpochs needs transfer.freezeBase: fine-tuning follows a phase that trains the new head "
          + "on the frozen base");
    }
    if (fineTuneEpochs == 0 && (fineTuneLearningRate != 0 || fineTuneFrom != null && !fineTuneFrom.isEmpty())) {
      p.add("transfer.fineTuneLearningRate and transfer.fineTuneFrom need transfer.fineTuneEpochs > 0");
    }
    if (weights == null || fineTuneFrom == null) {
      return null; // wrong types: already a problem
    }
    return TransferLearning.newBuilder().setWeights(weights).setFreezeBase(freezeBase)
        .setCacheBottleneck(cacheBottleneck).setFineTuneEpochs((int) Math.max(0, Math.min(fineTuneEpochs,
            Integer.MAX_VALUE))).setFineTuneLearningRate(fineTuneLearningRate).setFineTuneFrom(fineTuneFrom).build();
  }

  /** The job's parameters as the POST body names them. */
  static JsonObject toJson(TrainJob job) {
    JsonObject json = new JsonObject()
        .put("architecture", job.getArchitecture())
        .put("model", job.getModel())
        .put("dataDir", job.getDataDir())
        .put("epochs", job.getEpochs())
        .put("batchSize", job.getBatchSize())
        .put("augment", job.getAugment())
        .put("optimizer", job.getOptimizer())
        .put("learningRate", job.getLearningRate())
        .put("seed", job.getSeed())
        .put("maxImagesPerClass", job.getMaxImagesPerClass())
        .put("imageSize", job.getImageSize())
        .put("patience", job.getPatience());
    if (job.hasTransfer()) {
      TransferLearning t = job.getTransfer();
      json.put("transfer", new JsonObject().put("weights", t.getWeights()).put("freezeBase", t.getFreezeBase())
          .put("cacheBottleneck", t.getCacheBottleneck()).put("fineTuneEpochs", t.getFineTuneEpochs())
          .put("fineTuneLearningRate", t.getFineTuneLearningRate()).put("fineTuneFrom", t.getFineTuneFrom()));
    }
    return json;
  }

  /** Syntax only: relative, no '..', nothing odd. The trainer resolves it (symbolic links included). */
  private static void checkRelativePath(String field, String dataDir, String hint, List<String> p) {
    String problem = null;
    if (dataDir.isBlank()) {
      problem = "is empty";
    } else if (dataDir.length() > MAX_DATA_DIR_LENGTH) {
      problem = "is longer than " + MAX_DATA_DIR_LENGTH + " characters";
    } else if (dataDir.startsWith("/") || dataDir.startsWith("\\") || dataDir.startsWith("~")
        || WINDOWS_DRIVE.matcher(dataDir).matches()) {
      problem = "is absolute";
    } else if (List.of(dataDir.split("[/\\\\]")).contains("..")) {
      problem = "leaves the data root ('..' is not allowed)";
    } else if (dataDir.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problem = "contains control characters";
    }
    if (problem != null) {
      p.add(field + " '" + printable(dataDir) + "' " + problem + "; give " + hint);
    }
  }

  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static void range(List<String> p, String field, long value, long min, long max) {
    if (value < min || value > max) {
      p.add(field + " must be " + min + ".." + max + ", got " + value);
    }
  }

  /** Typed reads of optional fields; a wrong type is a problem, the default stands in for it. */
  private static final class Reader {
    final JsonObject body;
    final String prefix;
    final List<String> problems = new ArrayList<>();

    Reader(JsonObject body) {
      this(body, "");
    }

    /** Reads a nested object; {@code prefix} ("transfer.") names its fields in problems. */
    Reader(JsonObject body, String prefix) {
      this.body = body;
      this.prefix = prefix;
    }

    String string(String field, String fallback) {
      return typed(field, String.class, fallback, null, "a string");
    }

    boolean bool(String field, boolean fallback) {
      return typed(field, Boolean.class, fallback, fallback, "true or false");
    }

    double number(String field, double fallback) {
      return typed(field, Number.class, fallback, fallback, "a number").doubleValue();
    }

    /** The field as {@code type}; {@code fallback} when absent, {@code onWrongType} (and a problem) when not a {@code type}. */
    private <T> T typed(String field, Class<T> type, T fallback, T onWrongType, String expected) {
      Object v = body.getValue(field);
      if (v == null) {
        return fallback;
      }
      if (type.isInstance(v)) {
        return type.cast(v);
      }
      problems.add(prefix + field + " must be " + expected + ", got " + describe(v));
      return onWrongType;
    }

    /** A whole number (2.0 counts, 2.5 does not); values beyond 64 bits saturate and fail the range checks. */
    long whole(String field, long fallback) {
      Object v = body.getValue(field);
      if (v == null) {
        return fallback;
      }
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof BigInteger bi) {
        if (bi.bitLength() > 63) {
          problems.add(prefix + field + " is too large: " + bi);
          return fallback;
        }
        return bi.longValue();
      }
      if (v instanceof Number n) {
        BigDecimal d = v instanceof BigDecimal bd ? bd : BigDecimal.valueOf(n.doubleValue());
        try {
          return d.toBigIntegerExact().longValueExact();
        } catch (ArithmeticException e) {
          problems.add(prefix + field + " must be a whole number" + (d.stripTrailingZeros().scale() > 0 ? "" : " that fits in 64 bits")
              + ", got " + d.stripTrailingZeros().toPlainString());
          return fallback;
        }
      }
      problems.add(prefix + field + " must be a whole number, got " + describe(v));
      return fallback;
    }

    static String describe(Object v) {
      if (v instanceof String s) {
        return "the string \"" + printable(s) + "\"";
      }
      if (v instanceof JsonObject) {
        return "an object";
      }
      if (v instanceof io.vertx.core.json.JsonArray) {
        return "an array";
      }
      return String.valueOf(v);
    }
  }
}
