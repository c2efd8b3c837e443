package dev.netpol.console.internal.pages;

import java.util.List;

/** A small HTML writer for console pages; everything passed as text is escaped. */
final class Html {
  private final StringBuilder b = new StringBuilder();

  /**
   * Escapes text for element content and attribute values. {@code $} is escaped too: the Felix
   * console expands {@code ${...}} in plugin output.
   */
  static String esc(Object o) {
    String s = String.valueOf(o);
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '$' -> out.append("&#36;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Appends markup as is (only for markup this code writes). */
  Html raw(String markup) {
    b.append(markup);
    return this;
  }

  Html text(Object o) {
    b.append(esc(o));
    return this;
  }

  Html h2(String title) {
    return raw("<h2 class='netpol'>").text(title).raw("</h2>");
  }

  /** One status line, as Felix's own pages show it above their tables. */
  Html statline(String text) {
    return raw("<p class='statline ui-state-highlight'>").text(text).raw("</p>");
  }

  Html note(String text) {
    return raw("<p class='netpol-note'>").text(text).raw("</p>");
  }

  Html error(String text) {
    return raw("<p class='netpol-error ui-state-error'>").text(text).raw("</p>");
  }

  /** Opens a table with a header row; cells follow with {@link #row}. */
  Html table(String id, List<String> headers) {
    raw("<table id='").text(id).raw("' class='tablesorter nicetable netpol'><thead><tr>");
    headers.forEach(h -> raw("<th>").text(h).raw("</th>"));
    return raw("</tr></thead><tbody>");
  }

  /** A row of cells that are already markup (use {@link #esc} or {@link #link} for values). */
  Html row(List<String> cells) {
    raw("<tr>");
    cells.forEach(c -> raw("<td>").raw(c).raw("</td>"));
    return raw("</tr>");
  }

  Html end() {
    return raw("</tbody></table>");
  }

  static String link(String href, Object text) {
    return "<a href='" + esc(href) + "'>" + esc(text) + "</a>";
  }

  static String cls(String cssClass, Object text) {
    return "<span class='" + esc(cssClass) + "'>" + esc(text) + "</span>";
  }

  static String url(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
