package io.convnet.worker.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.data.DataException;
import io.convnet.data.DataRoot;
import io.convnet.data.ImageFolder;
import io.convnet.data.LabelledFile;
import io.convnet.kit.kafka.Publish;
import io.convnet.proto.DeadLetter;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ScoreRequest;
import io.convnet.proto.ScoreResult;
import io.convnet.proto.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scores a folder of images through Kafka: sends each (inline, or by reference under the data
 * root the workers share), shows progress, and writes one CSV row per image as its result or
 * dead letter arrives (read_committed); ends when every image is accounted for or at the timeout.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Score a folder of JPEG/PNG images with a served model through the score topics; results to CSV.")
public final class ScoreCommand implements Callable<Integer> {
  @Option(names = {"-m", "--model"}, defaultValue = "cats-vs-dogs", description = "model name (default ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--version", defaultValue = "0", description = "model version; 0 = the served one")
  long version;

  @Option(names = {"-f", "--folder"}, required = true, description = "folder of images")
  Path folder;

  @Option(names = {"-r", "--recursive"}, description = "also the images in sub-folders")
  boolean recursive;

  @Option(names = {"-o", "--out"}, defaultValue = "results.csv", description = "CSV file (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = {"-b", "--bootstrap"}, defaultValue = "${env:CONVNET_KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka brokers (default ${DEFAULT-VALUE})")
  String bootstrap;

  @Option(names = "--by-reference", description = "send paths relative to --data-root instead of the image bytes "
      + "(the workers must see the same data root)")
  boolean byReference;

  @Option(names = "--data-root", defaultValue = "${env:CONVNET_DATA_ROOT:-./data}",
      description = "data root for --by-reference (default ${DEFAULT-VALUE})")
  Path dataRoot;

  @Option(names = "--timeout", defaultValue = "600", description = "seconds to wait for the last result (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = "--max-image-bytes", defaultValue = "4194304", description = "larger images are not sent inline")
  int maxImageBytes;

  private final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScoreCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Path> files = images();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Path> keys = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = outputs();
         KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
             "acks", "all", "enable.idempotence", true, "linger.ms", 10, "max.request.size", maxImageBytes + (64 << 10)),
             new StringSerializer(), new ByteArraySerializer());
         CsvOut csv = new CsvOut(out)) {
      Progress progress = new Progress(err, files.size());
      int unsent = 0;
      for (int i = 0; i < files.size(); i++) {
        Path file = files.get(i);
        String key = run + "-" + i;
        keys.put(key, file);
        Image image;
        try {
          image = image(file);
        } catch (IOException | DataException e) {
          csv.failed(key, file, "not sent", e.getMessage());
          progress.failed();
          unsent++;
          continue;
        }
        ScoreRequest request = ScoreRequest.newBuilder().setModel(ModelRef.newBuilder().setName(model).setVersion(version))
            .setImage(image).setId(file.getFileName().toString()).build();
        producer.send(Publish.record(Topics.SCORE_REQUESTS, key, request), (md, e) -> {
          if (e != null) {
            err.println("\nnot sent: " + file + ": " + e);
          }
        });
        progress.sent();
        read(consumer, keys, csv, progress, Duration.ZERO);
      }
      producer.flush();
      long until = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (progress.done() < files.size() && System.nanoTime() < until) {
        read(consumer, keys, csv, progress, Duration.ofMillis(200));
      }
      progress.finish();
      int missing = files.size() - progress.done();
      err.printf("%d images: %d scored, %d dead letters, %d not sent, %d without an answer; CSV in %s%n", files.size(),
          progress.scored, progress.deadLetters, unsent, missing, out);
      return missing == 0 ? 0 : 1;
    }
  }

  private List<Path> images() throws IOException {
    if (!recursive) {
      return ImageFolder.unlabelled(folder).files().stream().map(LabelledFile::path).toList();
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return ImageFolder.EXTENSIONS.contains(n.substring(n.lastIndexOf('.') + 1));
          }).sorted().toList();
    }
  }

  private Image image(Path file) throws IOException {
    if (byReference) {
      DataRoot root = new DataRoot(dataRoot);
      Path real = file.toRealPath();
      if (!real.startsWith(root.root())) {
        throw new DataException(file + " is not under the data root " + root.root());
      }
      return Image.newBuilder().setReference(root.root().relativize(real).toString()).setName(file.toString()).build();
    }
    long size = Files.size(file);
    if (size > maxImageBytes) {
      throw new IOException(size + " bytes, more than " + maxImageBytes + ": use --by-reference");
    }
    return Image.newBuilder().setData(ByteString.copyFrom(Files.readAllBytes(file))).setName(file.toString()).build();
  }

  private KafkaConsumer<String, byte[]> outputs() {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "max.partition.fetch.bytes", 16 << 20),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : List.of(Topics.SCORE_RESULTS.name(), Topics.SCORE_DEAD_LETTERS.name())) {
      var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " not found at " + bootstrap + ": is the cluster up (./run.sh)?");
      }
      partitions.forEach(p -> all.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(all);
    consumer.seekToEnd(all);
    all.forEach(consumer::position);  // from here on: nothing of ours is missed
    return consumer;
  }

  private void read(KafkaConsumer<String, byte[]> consumer, Map<String, Path> keys, CsvOut csv, Progress progress,
                    Duration wait) throws InvalidProtocolBufferException {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
      Path file = r.key() == null ? null : keys.remove(r.key());
      if (file == null) {
        continue;  // someone else's, or a duplicate (there are none with exactly-once)
      }
      if (r.topic().equals(Topics.SCORE_RESULTS.name())) {
        csv.result(r.key(), file, ScoreResult.parseFrom(r.value()));
        progress.scored();
      } else {
        DeadLetter dl = DeadLetter.parseFrom(r.value());
        csv.failed(r.key(), file, "dead letter " + dl.getCode().name(), dl.getReason());
        progress.deadLetter();
      }
    }
  }

  /** CSV rows as answers arrive; the per-class columns come from the first result, rows before it wait for it. */
  static final class CsvOut implements AutoCloseable {
    private final PrintWriter writer;
    private final List<String[]> pending = new ArrayList<>();
    private List<String> labels;

    CsvOut(Path file) throws IOException {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      writer = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    void result(String key, Path file, ScoreResult r) {
      if (labels == null) {
        labels = r.getLabelsList();
        header();
        pending.forEach(this::row);
        pending.clear();
      }
      List<String> cells = new ArrayList<>(List.of(key, file.toString(), "ok", r.getLabel(), fmt(r.getProbability())));
      for (int i = 0; i < labels.size(); i++) {
        cells.add(i < r.getProbabilitiesCount() ? fmt(r.getProbabilities(i)) : "");
      }
      cells.add(r.getModel().getName());
      cells.add(Long.toString(r.getModel().getVersion()));
      cells.add("");
      row(cells.toArray(String[]::new));
    }

    void failed(String key, Path file, String status, String reason) {
      String[] row = {key, file.toString(), status, reason};
      if (labels == null) {
        pending.add(row);
      } else {
        row(row);
      }
    }

    private void header() {
      List<String> cells = new ArrayList<>(List.of("key", "file", "status", "label", "probability"));
      labels.forEach(l -> cells.add("p_" + l));
      cells.addAll(List.of("model", "version", "error"));
      writer.println(String.join(",", cells.stream().map(CsvOut::quote).toList()));
    }

    /** A result row as it is; a failure row (key, file, status, reason) with the reason in the error column. */
    private void row(String[] cells) {
      String[] full = cells;
      if (cells.length == 4) {
        int width = 5 + (labels == null ? 0 : labels.size()) + 3;
        full = new String[width];
        java.util.Arrays.fill(full, "");
        full[0] = cells[0];
        full[1] = cells[1];
        full[2] = cells[2];
        full[width - 1] = cells[3];
      }
      writer.println(String.join(",", java.util.Arrays.stream(full).map(CsvOut::quote).toList()));
      writer.flush();
    }

    private static String fmt(float v) {
      return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String quote(String s) {
      return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    @Override
    public void close() {
      if (labels == null) {
        labels = List.of();
        header();
        pending.forEach(this::row);
      }
      writer.close();
    }
  }

  /** A Keras-style bar on stderr, redrawn in place on a terminal, every 10 % otherwise. */
  static final class Progress {
    private final PrintWriter err;
    private final int total;
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private int sent;
    int scored;
    int deadLetters;
    private int failed;
    private int lastTenth = -1;

    Progress(PrintWriter err, int total) {
      this.err = err;
      this.total = total;
    }

    void sent() {
      sent++;
      draw();
    }

    void scored() {
      scored++;
      draw();
    }

    void deadLetter() {
      deadLetters++;
      draw();
    }

    void failed() {
      failed++;
      draw();
    }

    int done() {
      return scored + deadLetters + failed;
    }

    private void draw() {
      int tenth = done() * 10 / Math.max(1, total);
      if (!terminal && tenth == lastTenth) {
        return;
      }
      lastTenth = tenth;
      int width = 30;
      int filled = done() * width / Math.max(1, total);
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = done() / Math.max(seconds, 1e-3);
      String line = String.format(Locale.ROOT, "%d/%d [%s%s] sent %d, scored %d, dead letters %d - %.1f images/s - ETA %.0fs",
          done(), total, "=".repeat(filled), ".".repeat(width - filled), sent, scored, deadLetters, rate,
          rate > 0 ? (total - done()) / rate : 0);
      if (terminal) {
        err.print("\r" + line);
        err.flush();
      } else {
        err.println(line);
      }
    }

    void finish() {
      lastTenth = -1;
      draw();
      if (terminal) {
        err.println();
      }
    }
  }
}
