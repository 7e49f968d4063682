package io.convnet.image;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Node;

/**
 * The first frame of a GIF as a browser shows it: placed at its offset on the logical screen, the rest
 * of the screen transparent (so composited on white, like any alpha). Most files' first frame covers
 * the screen and is returned as read.
 */
final class GifFirstFrame {
  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

  private GifFirstFrame() {}

  /**
   * The logical screen and the first frame's place on it, from the headers (no pixels decoded). A
   * screen smaller than the frame (malformed, but browsers cope) is grown to hold it.
   */
  static Layout layout(ImageReader reader) throws IOException {
    int frameWidth = reader.getWidth(0);
    int frameHeight = reader.getHeight(0);
    IIOMetadata image = reader.getImageMetadata(0);
    int left = attribute(image, IMAGE_FORMAT, "ImageDescriptor", "imageLeftPosition");
    int top = attribute(image, IMAGE_FORMAT, "ImageDescriptor", "imageTopPosition");
    IIOMetadata stream = reader.getStreamMetadata();
    int screenWidth = attribute(stream, STREAM_FORMAT, "LogicalScreenDescriptor", "logicalScreenWidth");
    int screenHeight = attribute(stream, STREAM_FORMAT, "LogicalScreenDescriptor", "logicalScreenHeight");
    Rectangle frame = new Rectangle(left, top, frameWidth, frameHeight);
    return new Layout(Math.max(screenWidth, left + frameWidth), Math.max(screenHeight, top + frameHeight), frame);
  }

  /** The first frame on its screen. */
  static BufferedImage read(ImageReader reader, Layout layout) throws IOException {
    BufferedImage frame = reader.read(0);
    Rectangle at = layout.frame();
    if (at.x == 0 && at.y == 0 && frame.getWidth() == layout.width() && frame.getHeight() == layout.height()) {
      return frame;
    }
    BufferedImage screen = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = screen.createGraphics();
    try {
      g.drawImage(frame, at.x, at.y, null);
    } finally {
      g.dispose();
    }
    return screen;
  }

  /** @param frame the first frame's offset and size on the screen */
  record Layout(int width, int height, Rectangle frame) {}

  private static int attribute(IIOMetadata metadata, String format, String element, String name) {
    if (metadata == null) {
      return 0;
    }
    for (Node n = metadata.getAsTree(format).getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals(element)) {
        Node value = n.getAttributes().getNamedItem(name);
        return value == null ? 0 : Integer.parseInt(value.getNodeValue());
      }
    }
    return 0;
  }
}
