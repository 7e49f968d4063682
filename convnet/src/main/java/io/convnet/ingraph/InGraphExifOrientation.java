package io.convnet.ingraph;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * {@link io.convnet.image.ExifOrientation} as graph ops: the EXIF orientation tag of a JPEG (1 when there
 * is none) and the rotation/flip that shows the image upright. TensorFlow's decoders ignore the tag.
 *
 * <p>Without loops: the first {@code FF E1 .. .. "Exif\0\0"} segment header within the first
 * {@link #WINDOW} bytes (where JPEG writers put it, right after SOI or APP0), its TIFF byte order, and
 * the first {@link #MAX_ENTRIES} entries of IFD0 (tags are sorted; orientation, 0x0112, comes early).
 * A tag that is absent, malformed or outside 1..8 gives 1, as in Java.
 */
final class InGraphExifOrientation {
  /** Bytes searched for the EXIF segment. */
  static final int WINDOW = 65_536;
  static final int MAX_ENTRIES = 64;
  private static final int ORIENTATION = 0x0112;
  private static final int SHORT = 3;
  private static final int LONG = 4;
  /** Indexed by tag: whether the upright image mirrors columns / rows (after the transpose of tags 5-8). */
  private static final int[] FLIP_COLUMNS = {0, 0, 1, 1, 0, 0, 1, 1, 0};
  private static final int[] FLIP_ROWS = {0, 0, 0, 1, 1, 0, 0, 1, 1};

  private InGraphExifOrientation() {}

  /** The orientation tag 1..8 (int32 scalar) of the encoded image whose first bytes {@code head} holds. */
  static Operand<TInt32> tag(Ops tf, ByteWindow head) {
    int n = head.length();
    // positions where an APP1 "Exif\0\0" segment starts: FF E1, 2 length bytes, then the identifier
    int[] offsets = {0, 1, 4, 5, 6, 7, 8, 9};
    int[] values = {0xFF, 0xE1, 'E', 'x', 'i', 'f', 0, 0};
    Operand<TInt32> padded = tf.pad(head.all(), tf.constant(new int[][] {{0, 16}}), tf.constant(0));
    Operand<TBool> match = null;
    for (int k = 0; k < offsets.length; k++) {
      Operand<TInt32> shifted = tf.slice(padded, tf.constant(new int[] {offsets[k]}), tf.constant(new int[] {n}));
      Operand<TBool> eq = tf.math.equal(shifted, tf.constant(values[k]));
      match = match == null ? eq : tf.math.logicalAnd(match, eq);
    }
    Operand<TInt32> segment = firstIndex(tf, match, n);
    Operand<TInt32> tiff = tf.math.add(segment, tf.constant(10));
    Operand<TBool> little = bothBytes(tf, head, tiff, 'I');
    Operand<TBool> big = bothBytes(tf, head, tiff, 'M');
    Operand<TBool> valid = and(tf, head.startsWith(0xFF, 0xD8), tf.math.less(segment, tf.constant(n)),
        tf.math.logicalOr(little, big),
        tf.math.equal(head.u16(tf.math.add(tiff, tf.constant(2)), little), tf.constant(42)));

    Operand<TInt32> ifd = tf.math.add(tiff, head.u32(tf.math.add(tiff, tf.constant(4)), little));
    Operand<TInt32> count = head.u16(ifd, little);
    Operand<TInt32> k = tf.range(tf.constant(0), tf.constant(MAX_ENTRIES), tf.constant(1));
    Operand<TInt32> entry = tf.math.add(tf.math.add(ifd, tf.constant(2)), tf.math.mul(k, tf.constant(12)));
    Operand<TInt32> type = head.u16(plus(tf, entry, 2), little);
    // a SHORT or LONG with count 1 (what TwelveMonkeys returns as a Number); anything else reads as 0
    Operand<TInt32> value = tf.select(tf.math.equal(type, tf.constant(SHORT)), head.u16(plus(tf, entry, 8), little),
        tf.select(tf.math.equal(type, tf.constant(LONG)), head.u32(plus(tf, entry, 8), little), tf.zerosLike(k)));
    Operand<TBool> hit = and(tf, tf.math.less(k, count),
        tf.math.equal(head.u16(entry, little), tf.constant(ORIENTATION)),
        tf.math.equal(head.u32(plus(tf, entry, 4), little), tf.constant(1)));
    Operand<TInt32> at = firstIndex(tf, hit, MAX_ENTRIES);
    Operand<TInt32> tag = tf.gather(tf.concat(java.util.List.of(value, tf.constant(new int[] {0})), tf.constant(0)),
        at, tf.constant(0));
    Operand<TBool> usable = and(tf, valid, tf.math.greaterEqual(tag, tf.constant(1)),
        tf.math.lessEqual(tag, tf.constant(8)));
    return tf.select(usable, tag, tf.constant(1));
  }

  /** {@code image} [h, w, c] as shown upright for orientation {@code tag} (1..8). */
  static <T extends TType> Operand<T> apply(Ops tf, Operand<T> image, Operand<TInt32> tag) {
    Operand<TInt32> perm = tf.select(tf.math.greaterEqual(tag, tf.constant(5)), tf.constant(new int[] {1, 0, 2}),
        tf.constant(new int[] {0, 1, 2}));
    Operand<T> transposed = tf.linalg.transpose(image, perm);
    Operand<TBool> flips = tf.dtypes.cast(tf.stack(java.util.List.of(
        tf.gather(tf.constant(FLIP_ROWS), tag, tf.constant(0)),
        tf.gather(tf.constant(FLIP_COLUMNS), tag, tf.constant(0)))), TBool.class);
    Operand<TInt64> axes = tf.reshape(tf.where(flips), tf.constant(new int[] {-1}));
    return tf.reverse(transposed, axes);
  }

  /** The first index where {@code mask} is true, or {@code size} when none is. */
  private static Operand<TInt32> firstIndex(Ops tf, Operand<TBool> mask, int size) {
    Operand<TInt32> index = tf.range(tf.constant(0), tf.constant(size), tf.constant(1));
    Operand<TInt32> none = tf.fill(tf.constant(new int[] {size}), tf.constant(size));
    return tf.min(tf.select(mask, index, none), tf.constant(0));
  }

  private static Operand<TBool> bothBytes(Ops tf, ByteWindow head, Operand<TInt32> at, int value) {
    return tf.math.logicalAnd(tf.math.equal(head.u8(at), tf.constant(value)),
        tf.math.equal(head.u8(tf.math.add(at, tf.constant(1))), tf.constant(value)));
  }

  private static Operand<TInt32> plus(Ops tf, Operand<TInt32> x, int k) {
    return tf.math.add(x, tf.constant(k));
  }

  @SafeVarargs
  private static Operand<TBool> and(Ops tf, Operand<TBool>... terms) {
    Operand<TBool> all = terms[0];
    for (int i = 1; i < terms.length; i++) {
      all = tf.math.logicalAnd(all, terms[i]);
    }
    return all;
  }
}
