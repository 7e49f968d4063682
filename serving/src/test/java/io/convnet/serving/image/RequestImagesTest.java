package io.convnet.serving.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.convnet.image.ImageDecodeException;
import io.convnet.image.ImageTooLargeException;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request images from real files and bytes, under a real data root with real symbolic links. */
class RequestImagesTest {
  static final String SECRET = "password=hunter2";

  @TempDir
  Path tmp;
  Path root;
  Path uploads;
  RequestImages images;
  byte[] png;

  @BeforeEach
  void dataRoot() throws Exception {
    root = Files.createDirectories(tmp.resolve("data"));
    png = TestImages.png(TestImages.gradient(40, 30));
    Files.createDirectories(root.resolve("cats"));
    Files.write(root.resolve("cats/cat.png"), png);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    Files.write(outside.resolve("image.png"), png);
    Files.createSymbolicLink(root.resolve("secret.png"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("image.png"), outside.resolve("image.png"));
    Files.createSymbolicLink(root.resolve("elsewhere"), outside);
    Files.createSymbolicLink(root.resolve("cats/same.png"), root.resolve("cats/cat.png"));
    uploads = Files.createDirectories(tmp.resolve("uploads"));
    images = new RequestImages(root, uploads, new ImageLimits(10_000, 20_000, 1_500));
  }

  ServingException refused(byte[] inline, String reference) {
    return catchThrowableOfType(ServingException.class, () -> images.load(inline, reference, "image 0"));
  }

  @Test
  void decodesInlineBytesAndFilesUnderTheDataRootIncludingLinksThatStayInside() {
    RgbImage inline = images.load(png, "", "image 0");
    assertThat(inline.width()).isEqualTo(40);
    assertThat(images.load(null, "cats/cat.png", "image 0").height()).isEqualTo(30);
    assertThat(images.load(null, "cats/same.png", "image 0").width()).isEqualTo(40);
    assertThat(images.bytes(null, "cats/cat.png", null, "image 0")).isEqualTo(png);
  }

  @Test
  void aReferenceNeverLeavesTheDataRootNotEvenThroughASymbolicLink() {
    for (String reference : new String[] {"secret.png", "image.png", "elsewhere/secret.txt", "elsewhere/image.png",
        "../outside/secret.txt", "cats/../../outside/image.png"}) {
      ServingException e = refused(null, reference);
      assertThat(e.reason()).as(reference).isEqualTo(Reason.INVALID_ARGUMENT);
      assertThat(e.getMessage()).as(reference).startsWith("image 0: ").contains("outside the data root")
          .doesNotContain(SECRET).doesNotContain(tmp.toString());
    }
    ServingException absolute = refused(null, tmp.resolve("outside/image.png").toString());
    assertThat(absolute.getMessage()).contains("is absolute");
    assertThat(refused(null, "cats/nope.png").getMessage()).contains("does not exist under the data root");
    assertThat(refused(null, "cats").getMessage()).isEqualTo("image 0: 'cats' is not a file");
    assertThat(refused(null, "").getMessage()).isEqualTo("image 0 has neither data nor a reference");
  }

  @Test
  void aFileThatIsNoImageIsRefusedWithoutShowingItsContent() throws Exception {
    Files.writeString(root.resolve("notes.png"), SECRET, StandardCharsets.UTF_8);
    ServingException e = refused(null, "notes.png");
    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(e.getMessage()).startsWith("cannot decode image 0: not a JPEG or PNG image").doesNotContain(SECRET);
    assertThat(e.getCause()).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void limitsAreTypedTooLargeAtTheirSource() throws Exception {
    ServingException inline = refused(new byte[10_001], null);
    assertThat(inline.reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);
    assertThat(inline.getMessage()).isEqualTo("image 0 has 10001 bytes, more than the limit of 10000");

    Files.write(root.resolve("big.png"), new byte[20_001]);
    assertThat(refused(null, "big.png").reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);

    ServingException pixels = refused(TestImages.png(TestImages.gradient(50, 40)), null);
    assertThat(pixels.reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);
    assertThat(pixels.getMessage()).contains("50x40 pixels, more than the limit");
    assertThat(pixels.getCause()).isInstanceOf(ImageTooLargeException.class);

    byte[] truncated = TestImages.truncated(TestImages.jpeg(TestImages.gradient(30, 30)), 0.5);
    assertThat(refused(truncated, null).reason()).isEqualTo(Reason.INVALID_ARGUMENT);
  }

  @Test
  void withoutADataRootInlineImagesStillWorkAndReferencesGetAClearError() {
    RequestImages noRoot = new RequestImages(tmp.resolve("missing"), null, ImageLimits.DEFAULT);
    assertThat(noRoot.load(png, null, "image 0").width()).isEqualTo(40);
    ServingException e = catchThrowableOfType(ServingException.class, () -> noRoot.load(null, "cats/cat.png", "image 0"));
    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(e.getMessage()).isEqualTo("image 0: images by reference need a data root, and this service has none");
  }

  ServingException refusedUpload(String upload) {
    return catchThrowableOfType(ServingException.class, () -> images.bytes(null, "", upload, "image 0"));
  }

  @Test
  void anUploadIsAPlainFileNameInTheUploadFolderAndNothingElse() throws Exception {
    Files.write(uploads.resolve("gateway-1.img"), png);
    assertThat(images.bytes(null, "", "gateway-1.img", "image 0")).isEqualTo(png);
    assertThat(images.load(null, "", "gateway-1.img", "image 0", 0, 0).width()).isEqualTo(40);

    Files.createSymbolicLink(uploads.resolve("link.img"), tmp.resolve("outside/image.png"));
    Files.createSymbolicLink(uploads.resolve("inside.img"), uploads.resolve("gateway-1.img"));
    for (String upload : new String[] {"../outside/image.png", "../data/cats/cat.png", "/etc/passwd",
        tmp.resolve("outside/image.png").toString(), "sub/gateway-1.img", "..", ".", ".hidden.img", "a\\b.img"}) {
      ServingException e = refusedUpload(upload);
      assertThat(e.reason()).as(upload).isEqualTo(Reason.INVALID_ARGUMENT);
      assertThat(e.getMessage()).as(upload).isEqualTo("image 0: upload '" + upload + "' is not a plain file name");
    }
    for (String link : new String[] {"link.img", "inside.img"}) {  // the gateway makes no links: none is followed
      assertThat(refusedUpload(link).getMessage()).isEqualTo("image 0: upload '" + link + "' is not a regular file");
    }
    assertThat(refusedUpload("gone.img").getMessage())
        .isEqualTo("image 0: upload 'gone.img' does not exist (an upload lives as long as the request that staged it)");
    Files.writeString(uploads.resolve("notes.img"), SECRET);
    ServingException notAnImage = catchThrowableOfType(ServingException.class,
        () -> images.load(null, "", "notes.img", "image 0", 0, 0));
    assertThat(notAnImage.getMessage()).doesNotContain(SECRET);
    Files.write(uploads.resolve("big.img"), new byte[10_001]);  // an upload is an inline image staged: its limit
    assertThat(refusedUpload("big.img").reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE);
  }

  @Test
  void withoutAnUploadFolderAnUploadGetsAClearError() throws Exception {
    Files.write(uploads.resolve("gateway-1.img"), png);
    RequestImages noUploads = new RequestImages(root, null, ImageLimits.DEFAULT);
    ServingException e = catchThrowableOfType(ServingException.class,
        () -> noUploads.bytes(null, "", "gateway-1.img", "image 0"));
    assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(e.getMessage()).isEqualTo("image 0: the image was staged in an upload folder, and this service has "
        + "none (it must share the gateway's)");
  }
}
