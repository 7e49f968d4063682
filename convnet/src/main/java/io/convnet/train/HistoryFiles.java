package io.convnet.train;

import io.convnet.util.AtomicFiles;
import io.convnet.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** A training run's history as data beside its bundle: {@code history.csv} (one row per epoch) and {@code history.json}. */
public final class HistoryFiles {
  public static final String CSV = "history.csv";
  public static final String JSON = "history.json";

  private HistoryFiles() {}

  public static void write(History history, Path dir) {
    writeCsv(history, dir.resolve(CSV));
    Json.write(dir.resolve(JSON), history);
  }

  private static void writeCsv(History history, Path file) {
    StringBuilder sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,seconds\n");
    for (EpochMetrics m : history.epochs()) {
      sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.2f%n", m.epoch(), m.loss(), m.accuracy(),
          m.valLoss(), m.valAccuracy(), m.seconds()));
    }
    try {
      AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
