package dev.netpol.console.internal.pages;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * A netpol page of the Felix Web Console. GET renders {@link #render} inside the console's frame;
 * POST (only pages that change state) is checked against the CSRF token here as well as by the
 * console-wide guard, so a missing guard can never open a state change.
 */
public abstract class Page extends HttpServlet {
  static final String CATEGORY = "netpol";
  static final String STYLE =
      "<style>table.netpol td{vertical-align:top}.netpol-ok{color:#17692b;font-weight:bold}"
          + ".netpol-bad{color:#b00020;font-weight:bold}.netpol-unknown{color:#8a6d00;font-weight:bold}"
          + ".netpol-note{margin:6px 0;color:#444}.netpol-error{padding:6px}"
          + "form.netpol{margin:8px 0}form.netpol label{margin-right:10px}"
          + "code.netpol{white-space:pre-wrap}"
          + "h2.netpol{font-size:13px;font-weight:bold;margin:12px 0 4px}</style>";

  private final String label;
  private final String title;
  private final Tokens tokens;

  /** What pages need of the console's security: the CSRF token of this user. */
  public interface Tokens {
    String token();

    boolean valid(String presented);
  }

  protected Page(String label, String title, Tokens tokens) {
    this.label = label;
    this.title = title;
    this.tokens = tokens;
  }

  /** Service properties that make the Web Console show this servlet as a page. */
  public Map<String, Object> properties() {
    return Map.of(
        "felix.webconsole.label", label,
        "felix.webconsole.title", title,
        "felix.webconsole.category", CATEGORY);
  }

  public String label() {
    return label;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (req.getRequestURI().endsWith(".json")) {
      resp.setContentType("application/json");
      resp.setCharacterEncoding("utf-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.getWriter().write(json(req));
      return;
    }
    resp.setContentType("text/html");
    resp.setCharacterEncoding("utf-8");
    Html h = new Html().raw(STYLE);
    try {
      render(req, h);
    } catch (RuntimeException e) {
      h.error("this page could not be rendered: " + e);
    }
    resp.getWriter().write(h.toString());
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String presented = req.getHeader("X-Netpol-CSRF");
    if (presented == null) {
      presented = req.getParameter("_csrf");
    }
    if (!tokens.valid(presented)) {
      resp.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or wrong CSRF token");
      return;
    }
    String to = post(req);
    if (to == null) {
      resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "this page changes nothing");
      return;
    }
    resp.sendRedirect(req.getContextPath() + req.getServletPath() + "/" + label + to);
  }

  /** The page's content (inside the console's frame). */
  protected abstract void render(HttpServletRequest req, Html h);

  /** The page's data as JSON ({@code <label>.json}); pages without one answer an empty object. */
  protected String json(HttpServletRequest req) {
    return "{}";
  }

  /**
   * A state change (token already checked); returns the query string to show afterwards ("" or
   * "?..."), or null when the page has none.
   */
  protected String post(HttpServletRequest req) {
    return null;
  }

  /** A hidden field with the CSRF token, for forms that POST. */
  protected String tokenField() {
    return "<input type='hidden' name='_csrf' value='" + Html.esc(tokens.token()) + "'/>";
  }

  /** This page's URL (for links and forms) relative to the console root. */
  protected String self(HttpServletRequest req) {
    return req.getContextPath() + req.getServletPath() + "/" + label;
  }

  protected static String param(HttpServletRequest req, String name) {
    String v = req.getParameter(name);
    return v == null ? "" : v.trim();
  }
}
