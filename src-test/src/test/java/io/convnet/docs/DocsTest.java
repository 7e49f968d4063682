package io.convnet.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kit.config.Setting;
import io.convnet.kit.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The documentation stays true to the repository: every relative link resolves (file, and
 * heading anchor), every environment setting the code and the scripts read is documented exactly
 * once in a table (docs/configuration.md) and every documented one exists, and README.md stays
 * short enough to read.
 */
class DocsTest {
  static final Path REPO = Path.of("").toAbsolutePath().getParent();
  /** README.md's limit: a first page, with the reference one link away in docs/. */
  static final long README_MAX_BYTES = 16_384;

  private static final Pattern NAME = Pattern.compile("CONVNET_[A-Z0-9_]*[A-Z0-9]");
  /** A name in a Java string literal ({@code "CONVNET_X"}), also picocli's {@code "${env:CONVNET_X:-...}"}. */
  private static final Pattern JAVA_LITERAL = Pattern.compile("\"(?:\\$\\{env:)?(" + NAME + ")[\":}]");
  /** A documented setting: a table row whose first cell starts with a code span naming it. */
  private static final Pattern DOCUMENTED_ROW = Pattern.compile("^`" + NAME + "`.*");
  /** Build output and installed packages anywhere; what run.sh and the tools write at the top. */
  private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules");
  private static final Set<String> SKIPPED_TOP_DIRS = Set.of("run", "models", "data");

  @Test
  void readmeIsAFirstPage() throws IOException {
    assertThat(Files.size(REPO.resolve("README.md"))).isLessThanOrEqualTo(README_MAX_BYTES);
  }

  @Test
  void everyRelativeLinkResolves() {
    List<String> broken = new ArrayList<>();
    for (Path file : markdownFiles()) {
      Markdown md = new Markdown(read(file));
      for (String link : md.links()) {
        if (link.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue;  // http:, https:, mailto: ... (not this repository's to check)
        }
        String problem = problem(file, md, link);
        if (problem != null) {
          broken.add(REPO.relativize(file) + ": " + link + " (" + problem + ")");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  private static String problem(Path from, Markdown fromMd, String link) {
    int hash = link.indexOf('#');
    String path = URLDecoder.decode(hash < 0 ? link : link.substring(0, hash), StandardCharsets.UTF_8);
    String anchor = hash < 0 ? null : link.substring(hash + 1);
    Path target = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
    if (!target.startsWith(REPO)) {
      return "outside the repository";
    }
    if (!Files.exists(target)) {
      return "no such file";
    }
    if (anchor == null) {
      return null;
    }
    if (!target.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    Set<String> anchors = (target.equals(from) ? fromMd : new Markdown(read(target))).anchors();
    return anchors.contains(anchor) ? null : "no heading with that anchor; there are " + anchors;
  }

  @Test
  void everySettingIsDocumentedExactlyOnceAndEveryDocumentedOneExists() {
    Map<String, Long> documented = new TreeMap<>();
    for (Path file : markdownFiles()) {
      for (String cell : new Markdown(read(file)).firstCells()) {
        if (DOCUMENTED_ROW.matcher(cell).matches()) {
          Matcher m = Pattern.compile("`(" + NAME + ")`").matcher(cell);
          while (m.find()) {
            documented.merge(m.group(1), 1L, Long::sum);
          }
        }
      }
    }
    Set<String> read = settingsReadByCodeAndScripts();
    assertThat(read).as("settings found in the code (the search itself works)").contains(
        Settings.KAFKA_BOOTSTRAP_SERVERS.name(), Settings.partitions(io.convnet.proto.Topics.REPLIES).name(),
        "CONVNET_RUN_DIR", "CONVNET_MAX_BATCH", "CONVNET_VIZ_MAX_JOBS");

    SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(read).as("read by the code, but in no table of the docs").isSubsetOf(documented.keySet());
      soft.assertThat(documented.keySet()).as("documented, but nothing reads it").isSubsetOf(read);
      soft.assertThat(documented.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
          .as("documented in more than one table row").isEmpty();
    });
  }

  /**
   * Every {@code CONVNET_*} variable something reads: the service kit's settings (some, like the
   * topics' partitions, are made from names), any name in a string literal of main code (a
   * {@code Setting}, {@code System.getenv}, a picocli default), names that test programs take from
   * {@code getenv}, and every name in the shell scripts.
   */
  static Set<String> settingsReadByCodeAndScripts() {
    Set<String> names = Settings.ALL.stream().map(Setting::name).collect(Collectors.toCollection(TreeSet::new));
    for (Path file : files(f -> f.toString().endsWith(".java"))) {
      String path = REPO.relativize(file).toString().replace('\\', '/');
      boolean main = path.contains("/src/main/");
      for (String line : read(file).split("\n")) {
        if (main || line.contains("getenv")) {
          Matcher m = JAVA_LITERAL.matcher(line);
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    for (Path script : files(f -> f.toString().endsWith(".sh"))) {
      Matcher m = NAME.matcher(read(script));
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  static List<Path> markdownFiles() {
    return files(f -> f.toString().endsWith(".md"));
  }

  private static List<Path> files(Predicate<Path> wanted) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(REPO, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.equals(REPO) || ours(REPO.relativize(dir)) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && wanted.test(file)) {
            found.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found.stream().sorted().toList();
  }

  /** Not a hidden folder (.git, .ci, caches), build output, or what the tools write at the top. */
  private static boolean ours(Path dir) {
    String name = dir.getFileName().toString();
    return !name.startsWith(".") && !SKIPPED_DIRS.contains(name)
        && !(dir.getNameCount() == 1 && SKIPPED_TOP_DIRS.contains(name));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
