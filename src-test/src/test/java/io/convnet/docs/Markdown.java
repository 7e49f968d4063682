package io.convnet.docs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the documentation tests read in a Markdown file, as GitHub renders it: headings and their
 * anchors, links, and the first cells of table rows. Fenced code blocks and inline code are text,
 * not Markdown (a {@code # comment} in a shell block is no heading).
 */
final class Markdown {
  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
  /** {@code [text](target)} and {@code ![alt](target "title")}; the target is what is checked. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  private final List<String> prose = new ArrayList<>();
  private final List<String> headings = new ArrayList<>();

  Markdown(String text) {
    boolean fenced = false;
    for (String line : text.split("\n", -1)) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      prose.add(line);
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        headings.add(h.group(1));
      }
    }
  }

  /** The anchors GitHub gives the headings, duplicates numbered {@code -1}, {@code -2}, ... */
  Set<String> anchors() {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String heading : headings) {
      String slug = slug(heading);
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }

  /**
   * GitHub's heading slug: the heading's text without Markdown (code ticks, emphasis, link
   * targets), lower case, everything but letters, digits, spaces, '-' and '_' dropped, spaces as '-'.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  /** Every link and image target outside code. */
  List<String> links() {
    List<String> links = new ArrayList<>();
    for (String line : prose) {
      Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll("``"));
      while (m.find()) {
        links.add(m.group(1));
      }
    }
    return links;
  }

  /** The first cell of every table row outside code (header and separator rows too). */
  List<String> firstCells() {
    List<String> cells = new ArrayList<>();
    for (String line : prose) {
      String t = line.strip();
      if (t.startsWith("|")) {
        int end = t.indexOf('|', 1);
        cells.add((end < 0 ? t.substring(1) : t.substring(1, end)).strip());
      }
    }
    return cells;
  }
}
