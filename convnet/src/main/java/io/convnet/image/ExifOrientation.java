package io.convnet.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EXIF orientation tag (1..8) of a JPEG, and the rotation/flip that shows the image upright, as
 * browsers and phones do (Pillow's {@code ImageOps.exif_transpose}). Keras' {@code load_img} ignores
 * the tag; we apply it, so an upright phone photo is classified upright.
 */
public final class ExifOrientation {
  private static final Logger LOG = LoggerFactory.getLogger(ExifOrientation.class);

  private ExifOrientation() {}

  /** The tag of a JPEG's EXIF segment; 1 (upright) when there is none or it cannot be parsed. */
  public static int read(byte[] jpeg) {
    try (ImageInputStream in = new ByteArrayImageInputStream(jpeg)) {
      List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
      if (segments.isEmpty()) {
        return 1;
      }
      InputStream data = segments.get(0).data();
      data.read(); // the pad byte after "Exif\0"
      Directory ifd0 = new TIFFReader().read(ImageIO.createImageInputStream(data));
      Entry entry = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
      if (entry == null || !(entry.getValue() instanceof Number n)) {
        return 1;
      }
      int tag = n.intValue();
      return tag >= 1 && tag <= 8 ? tag : 1;
    } catch (IOException | RuntimeException e) {
      // Broken EXIF is common and harmless to the pixels: show the image as stored, like a browser.
      LOG.debug("ignoring unreadable EXIF data: {}", e.toString());
      return 1;
    }
  }

  /** The image as it should be displayed for EXIF orientation {@code tag}. */
  public static RgbImage apply(RgbImage image, int tag) {
    if (tag <= 1 || tag > 8) {
      return image;
    }
    int w = image.width();
    int h = image.height();
    boolean swap = tag >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] src = image.pixels();
    byte[] out = new byte[src.length];
    int o = 0;
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++, o += 3) {
        int sx;
        int sy;
        switch (tag) {
          case 2 -> { sx = w - 1 - ox; sy = oy; } // mirror left-right
          case 3 -> { sx = w - 1 - ox; sy = h - 1 - oy; } // rotate 180
          case 4 -> { sx = ox; sy = h - 1 - oy; } // mirror top-bottom
          case 5 -> { sx = oy; sy = ox; } // transpose
          case 6 -> { sx = oy; sy = h - 1 - ox; } // rotate 90 clockwise
          case 7 -> { sx = w - 1 - oy; sy = h - 1 - ox; } // transverse
          default -> { sx = w - 1 - oy; sy = ox; } // 8: rotate 90 counter-clockwise
        }
        int s = (sy * w + sx) * 3;
        out[o] = src[s];
        out[o + 1] = src[s + 1];
        out[o + 2] = src[s + 2];
      }
    }
    return new RgbImage(ow, oh, out);
  }
}
