package dev.netpol.console.internal;

import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * CSRF protection of the whole console (Felix's own pages included): a request that may change
 * state (any method but GET, HEAD, OPTIONS) must carry the token of {@link CsrfTokens}, else it
 * gets 403. Runs after authentication (the console's security provider answers 401 first). So that
 * Felix's pages keep working, every HTML page gets a small script before {@code </head>} that adds
 * the token to its forms and to its scripts' requests. Also denies framing (clickjacking).
 */
final class CsrfGuard implements Filter {
  static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  /** Whiteboard properties: every path of the Felix Web Console's servlet context. */
  static final Map<String, Object> PROPERTIES =
      Map.of(
          "osgi.http.whiteboard.filter.pattern",
          "/*",
          "osgi.http.whiteboard.filter.name",
          "netpol-csrf",
          "osgi.http.whiteboard.context.select",
          "(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)");

  private final ConsoleSecurity security;

  @Inject
  CsrfGuard(ConsoleSecurity security) {
    this.security = security;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-Content-Type-Options", "nosniff");
    if (!SAFE.contains(request.getMethod())) {
      if (!security.valid(presented(request))) {
        response.sendError(
            HttpServletResponse.SC_FORBIDDEN,
            "missing or wrong CSRF token (reload the page and try again)");
        return;
      }
      chain.doFilter(req, res);
      return;
    }
    if (!request.getMethod().equals("GET")) {
      chain.doFilter(req, res);
      return;
    }
    HtmlInjector wrapped = new HtmlInjector(response);
    chain.doFilter(req, wrapped);
    wrapped.finish(script(security.token()));
  }

  /** The token of a request: the header (scripts), else the form field or query parameter. */
  static String presented(HttpServletRequest request) {
    String t = request.getHeader(CsrfTokens.HEADER);
    return t != null ? t : request.getParameter(CsrfTokens.FIELD);
  }

  /**
   * Adds the token to every POST form (hidden field; in the action URL for multipart forms, whose
   * fields a filter cannot read) and to every non-GET request made with XMLHttpRequest or fetch.
   */
  static String script(String token) {
    return "<script>(function(){var t='"
        + token
        + "',h='"
        + CsrfTokens.HEADER
        + "',f='"
        + CsrfTokens.FIELD
        + "';"
        + "function safe(m){return /^(GET|HEAD|OPTIONS)$/i.test(m||'GET');}"
        + "var o=XMLHttpRequest.prototype.open,s=XMLHttpRequest.prototype.send;"
        + "XMLHttpRequest.prototype.open=function(m){this._npm=m;return o.apply(this,arguments);};"
        + "XMLHttpRequest.prototype.send=function(){if(!safe(this._npm)){this.setRequestHeader(h,t);}"
        + "return s.apply(this,arguments);};"
        + "if(window.fetch){var F=window.fetch;window.fetch=function(i,n){n=n||{};"
        + "if(!safe(n.method)){n.headers=new Headers(n.headers||{});n.headers.set(h,t);}"
        + "return F.call(this,i,n);};}"
        + "function arm(){var fs=document.getElementsByTagName('form');for(var i=0;i<fs.length;i++){"
        + "var x=fs[i];if((x.getAttribute('method')||'').toLowerCase()!=='post'){continue;}"
        + "if((x.enctype||'').indexOf('multipart')>=0){var a=x.getAttribute('action')||'';"
        + "if(a.indexOf(f+'=')<0){x.setAttribute('action',a+(a.indexOf('?')<0?'?':'&')+f+'='+t);}}"
        + "else if(!x.querySelector('input[name='+f+']')){var e=document.createElement('input');"
        + "e.type='hidden';e.name=f;e.value=t;x.appendChild(e);}}}"
        + "document.addEventListener('DOMContentLoaded',arm);"
        + "document.addEventListener('submit',arm,true);"
        + "var S=HTMLFormElement.prototype.submit;HTMLFormElement.prototype.submit=function(){arm();"
        + "return S.apply(this,arguments);};window.netpolCsrf=t;})();</script>";
  }

  /**
   * Buffers a text/html body to insert the script before {@code </head>}; any other body goes
   * straight through.
   */
  static final class HtmlInjector extends HttpServletResponseWrapper {
    private ByteArrayOutputStream buffer;
    private PrintWriter writer;
    private ServletOutputStream stream;

    HtmlInjector(HttpServletResponse response) {
      super(response);
    }

    private boolean html() {
      String type = getContentType();
      return type != null && type.toLowerCase().startsWith("text/html");
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      if (writer == null) {
        if (!html()) {
          return super.getWriter();
        }
        buffer = new ByteArrayOutputStream();
        writer = new PrintWriter(new OutputStreamWriter(buffer, charset()));
      }
      return writer;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      if (stream == null) {
        if (!html()) {
          return super.getOutputStream();
        }
        buffer = new ByteArrayOutputStream();
        ByteArrayOutputStream b = buffer;
        stream =
            new ServletOutputStream() {
              @Override
              public void write(int c) {
                b.write(c);
              }

              @Override
              public void write(byte[] data, int off, int len) {
                b.write(data, off, len);
              }

              @Override
              public boolean isReady() {
                return true;
              }

              @Override
              public void setWriteListener(WriteListener l) {}
            };
      }
      return stream;
    }

    private Charset charset() {
      String enc = getCharacterEncoding();
      try {
        return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
      } catch (RuntimeException e) {
        return StandardCharsets.UTF_8;
      }
    }

    @Override
    public void setContentLength(int len) {
      if (!html()) {
        super.setContentLength(len);
      }
    }

    @Override
    public void setContentLengthLong(long len) {
      if (!html()) {
        super.setContentLengthLong(len);
      }
    }

    @Override
    public void flushBuffer() throws IOException {
      if (buffer == null) {
        super.flushBuffer();
      }
    }

    void finish(String script) throws IOException {
      if (buffer == null) {
        return;
      }
      if (writer != null) {
        writer.flush();
      }
      Charset cs = charset();
      String body = buffer.toString(cs);
      int head = body.indexOf("</head>");
      if (head >= 0) {
        body = body.substring(0, head) + script + body.substring(head);
      }
      byte[] out = body.getBytes(cs);
      HttpServletResponse r = (HttpServletResponse) getResponse();
      r.setContentLength(out.length);
      r.getOutputStream().write(out);
    }
  }
}
