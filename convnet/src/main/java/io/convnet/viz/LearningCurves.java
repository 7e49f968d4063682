package io.convnet.viz;

import io.convnet.train.EpochMetrics;
import io.convnet.train.History;
import io.convnet.train.HistoryFiles;
import io.convnet.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The tutorial's learning-curve figure: a PNG with two panels, loss and accuracy, training (dots) vs validation
 * (line) per epoch; {@link #writeAll} puts it in a bundle beside the history's data ({@link HistoryFiles}).
 */
public final class LearningCurves {
  public static final String PNG = "learning-curves.png";
  private static final Color TRAIN = new Color(31, 119, 180);
  private static final Color VALIDATION = new Color(255, 127, 14);

  private LearningCurves() {}

  /** {@code history.csv}, {@code history.json} and {@code learning-curves.png} in {@code dir}. */
  public static void writeAll(History history, Path dir, String title) {
    HistoryFiles.write(history, dir);
    writePng(history, dir.resolve(PNG), title);
  }

  public static void writePng(History history, Path file, String title) {
    try {
      AtomicFiles.write(file, Rendering.png(render(history, title)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** 1000x420: left panel loss, right panel accuracy. */
  public static BufferedImage render(History history, String title) {
    int w = 1000;
    int h = 420;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(title, 20, 22);
      List<EpochMetrics> e = history.epochs();
      panel(g, e, 20, 40, 470, 360, "Training and validation loss", EpochMetrics::loss, EpochMetrics::valLoss, false);
      panel(g, e, 510, 40, 470, 360, "Training and validation accuracy", EpochMetrics::accuracy,
          EpochMetrics::valAccuracy, true);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void panel(Graphics2D g, List<EpochMetrics> epochs, int x0, int y0, int w, int h, String title,
      ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> val, boolean accuracy) {
    int left = x0 + 55;
    int top = y0 + 25;
    int right = x0 + w - 10;
    int bottom = y0 + h - 40;
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (EpochMetrics m : epochs) {
      for (double v : new double[] {train.applyAsDouble(m), val.applyAsDouble(m)}) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
    if (accuracy) {
      lo = Math.max(0, lo - 0.02);
      hi = Math.min(1, hi + 0.02);
    } else {
      lo = Math.max(0, lo - 0.05 * (hi - lo));
      hi = hi + 0.05 * (hi - lo);
    }
    if (hi - lo < 1e-9) {
      hi = lo + 1;
    }
    int n = Math.max(1, epochs.isEmpty() ? 1 : epochs.get(epochs.size() - 1).epoch());
    int first = epochs.isEmpty() ? 1 : epochs.get(0).epoch();
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(Color.BLACK);
    g.drawString(title, left + (right - left) / 2 - g.getFontMetrics().stringWidth(title) / 2, y0 + 15);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i <= 5; i++) {
      double v = lo + (hi - lo) * i / 5;
      int y = bottom - (int) Math.round((bottom - top) * i / 5.0);
      g.setColor(new Color(230, 230, 230));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      String label = String.format(Locale.ROOT, "%.2f", v);
      g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), y + 4);
    }
    int ticks = Math.min(10, n - first + 1);
    for (int i = 0; i < ticks; i++) {
      int epoch = first + (int) Math.round((n - first) * (ticks == 1 ? 0 : i / (double) (ticks - 1)));
      int x = xOf(epoch, first, n, left, right);
      String label = Integer.toString(epoch);
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 15);
    }
    g.drawString("epoch", left + (right - left) / 2 - 15, bottom + 30);
    g.setColor(Color.BLACK);
    g.drawRect(left, top, right - left, bottom - top);
    int prevX = -1;
    int prevY = -1;
    for (EpochMetrics m : epochs) {
      int x = xOf(m.epoch(), first, n, left, right);
      int yt = yOf(train.applyAsDouble(m), lo, hi, top, bottom);
      int yv = yOf(val.applyAsDouble(m), lo, hi, top, bottom);
      g.setColor(TRAIN);
      g.fillOval(x - 4, yt - 4, 8, 8);
      g.setColor(VALIDATION);
      g.setStroke(new BasicStroke(2f));
      if (prevX >= 0) {
        g.drawLine(prevX, prevY, x, yv);
      } else {
        g.fillOval(x - 2, yv - 2, 4, 4);
      }
      prevX = x;
      prevY = yv;
    }
    g.setStroke(new BasicStroke(1f));
    int lx = right - 150;
    int ly = accuracy ? bottom - 40 : top + 10;
    g.setColor(Color.WHITE);
    g.fillRect(lx, ly, 140, 36);
    g.setColor(Color.GRAY);
    g.drawRect(lx, ly, 140, 36);
    g.setColor(TRAIN);
    g.fillOval(lx + 10, ly + 8, 8, 8);
    g.setColor(VALIDATION);
    g.setStroke(new BasicStroke(2f));
    g.drawLine(lx + 6, ly + 27, lx + 22, ly + 27);
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.BLACK);
    g.drawString(accuracy ? "Training acc" : "Training loss", lx + 30, ly + 16);
    g.drawString(accuracy ? "Validation acc" : "Validation loss", lx + 30, ly + 31);
  }

  private static int xOf(int epoch, int first, int last, int left, int right) {
    return last == first ? (left + right) / 2 : left + 10 + (int) Math.round((right - left - 20.0) * (epoch - first)
        / (last - first));
  }

  private static int yOf(double v, double lo, double hi, int top, int bottom) {
    double f = Double.isFinite(v) ? (v - lo) / (hi - lo) : 0;
    return bottom - (int) Math.round((bottom - top) * Math.max(0, Math.min(1, f)));
  }
}
