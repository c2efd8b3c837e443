package dev.netpol.console.internal.pages;

import dev.netpol.api.VerdictEvent;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * The live verdict log: the newest new-flow decisions of this node's backends, filtered by pod,
 * verdict and direction; the page asks {@code netpol-verdicts.json} for newer rows every second.
 * Events are samples for looking into single flows; counts are on /metrics.
 */
public final class VerdictsPage extends Page {
  static final int ROWS = 200;

  /** What this page reads: the console's verdict log. */
  public interface Log {
    /** Rows after {@code after} that match, newest first, at most {@code limit}. */
    List<Row> newest(long after, Predicate<Row> filter, int limit);

    long last();

    /** Backends followed now. */
    int sources();
  }

  /** One logged event. */
  public record Row(long seq, String backend, VerdictEvent event) {
    String pod() {
      return event.pod() == null ? "?" : event.pod().toString();
    }
  }

  private final Log log;

  public VerdictsPage(Tokens tokens, Log log) {
    super("netpol-verdicts", "Verdict log", tokens);
    this.log = log;
  }

  static Predicate<Row> filter(String pod, String verdict, String direction) {
    return r ->
        (pod.isEmpty() || r.pod().contains(pod))
            && (verdict.isEmpty() || verdict.equals(r.event().allowed() ? "allowed" : "denied"))
            && (direction.isEmpty() || direction.equals(r.event().direction()));
  }

  private static Predicate<Row> filter(HttpServletRequest req) {
    return filter(param(req, "pod"), param(req, "verdict"), param(req, "direction"));
  }

  @Override
  protected void render(HttpServletRequest req, Html h) {
    String pod = param(req, "pod");
    String verdict = param(req, "verdict");
    String direction = param(req, "direction");
    List<Row> rows = log.newest(0, filter(req), ROWS);
    h.statline(
        "Following "
            + log.sources()
            + " backend(s) that report verdict events · newest first · updated every second"
            + " · new flows only (an established connection is decided once); counts are on"
            + " /metrics");
    h.raw("<form class='netpol' id='netpol-verdict-filter' method='get' action='")
        .text(self(req))
        .raw("'><label>Pod <input name='pod' id='netpol-filter-pod' placeholder='namespace/name'")
        .raw(" value='")
        .text(pod)
        .raw("'/></label>")
        .raw(select("verdict", verdict, "allowed", "denied"))
        .raw(select("direction", direction, "ingress", "egress"))
        .raw("<button type='submit'>Filter</button></form>");
    h.table(
        "netpol-verdicts",
        List.of(
            "#",
            "Time",
            "Pod",
            "Direction",
            "Verdict",
            "Protocol",
            "Source",
            "Destination",
            "Policy",
            "Reason"));
    for (Row r : rows) {
      h.row(cells(r));
    }
    h.end();
    h.raw("<script>(function(){var last=")
        .raw(String.valueOf(rows.isEmpty() ? log.last() : rows.get(0).seq()))
        .raw(";var q='&pod=")
        .raw(jsString(Html.url(pod)))
        .raw("&verdict=")
        .raw(jsString(Html.url(verdict)))
        .raw("&direction=")
        .raw(jsString(Html.url(direction)))
        .raw("';var body=document.querySelector('#netpol-verdicts tbody');")
        .raw("function cell(t){var d=document.createElement('td');d.textContent=t;return d;}")
        .raw("function poll(){fetch('")
        .raw(jsString(self(req)))
        .raw(
            ".json?after='+last+q,{credentials:'same-origin'}).then(function(r){return r.json();})")
        .raw(".then(function(j){for(var i=j.rows.length-1;i>=0;i--){var x=j.rows[i];")
        .raw("var tr=document.createElement('tr');")
        .raw("[x.seq,x.time,x.pod,x.direction,x.verdict,x.protocol,x.source,x.destination,")
        .raw("x.policy,x.reason].forEach(function(v){tr.appendChild(cell(v));});")
        .raw("tr.cells[4].className=x.verdict==='allowed'?'netpol-ok':'netpol-bad';")
        .raw("body.insertBefore(tr,body.firstChild);}")
        .raw("while(body.rows.length>")
        .raw(String.valueOf(ROWS))
        .raw("){body.deleteRow(body.rows.length-1);}last=Math.max(last,j.last);})")
        .raw(".catch(function(){}).then(function(){setTimeout(poll,1000);});}")
        .raw("setTimeout(poll,1000);})();</script>");
  }

  private static String select(String name, String chosen, String... options) {
    StringBuilder b =
        new StringBuilder("<label>")
            .append(Character.toUpperCase(name.charAt(0)))
            .append(name.substring(1))
            .append(" <select name='")
            .append(name)
            .append("' id='netpol-filter-")
            .append(name)
            .append("'><option value=''>any</option>");
    for (String o : options) {
      b.append("<option value='")
          .append(o)
          .append("'")
          .append(o.equals(chosen) ? " selected='selected'" : "")
          .append(">")
          .append(o)
          .append("</option>");
    }
    return b.append("</select></label>").toString();
  }

  private static List<String> cells(Row r) {
    VerdictEvent e = r.event();
    return List.of(
        String.valueOf(r.seq()),
        Html.esc(time(e)),
        Html.esc(r.pod()),
        Html.esc(e.direction()),
        Html.cls(e.allowed() ? "netpol-ok" : "netpol-bad", e.allowed() ? "allowed" : "denied"),
        Html.esc(protocol(e.protocol())),
        Html.esc(endpoint(e.source(), e.sourcePort())),
        Html.esc(endpoint(e.destination(), e.destinationPort())),
        Html.esc(e.policy()),
        Html.esc(e.reason()));
  }

  static String time(VerdictEvent e) {
    return e.time() == null
        ? ""
        : String.valueOf(e.time().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  static String protocol(int p) {
    return switch (p) {
      case 1 -> "ICMP";
      case 6 -> "TCP";
      case 17 -> "UDP";
      case 58 -> "ICMPv6";
      case 132 -> "SCTP";
      default -> String.valueOf(p);
    };
  }

  static String endpoint(InetAddress a, int port) {
    if (a == null) {
      return "?";
    }
    String h = Addresses.text(a);
    return (h.contains(":") ? "[" + h + "]" : h) + (port > 0 ? ":" + port : "");
  }

  @Override
  protected String json(HttpServletRequest req) {
    long after;
    try {
      after = Long.parseLong(param(req, "after"));
    } catch (NumberFormatException e) {
      after = 0;
    }
    List<Row> rows = log.newest(after, filter(req), ROWS);
    StringBuilder b = new StringBuilder("{\"last\":").append(log.last()).append(",\"rows\":[");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      VerdictEvent e = r.event();
      b.append(i == 0 ? "{" : ",{");
      field(b, "seq", String.valueOf(r.seq()), false);
      field(b, "time", time(e), true);
      field(b, "backend", r.backend(), true);
      field(b, "pod", r.pod(), true);
      field(b, "direction", e.direction(), true);
      field(b, "verdict", e.allowed() ? "allowed" : "denied", true);
      field(b, "protocol", protocol(e.protocol()), true);
      field(b, "source", endpoint(e.source(), e.sourcePort()), true);
      field(b, "destination", endpoint(e.destination(), e.destinationPort()), true);
      field(b, "policy", e.policy(), true);
      field(b, "reason", e.reason(), true);
      b.setLength(b.length() - 1);
      b.append('}');
    }
    return b.append("]}").toString();
  }

  private static void field(StringBuilder b, String name, String value, boolean string) {
    b.append('"').append(name).append("\":");
    b.append(string ? "\"" + jsString(value) + "\"" : value).append(',');
  }

  /** Escapes for a JavaScript or JSON string literal (also safe inside a script element). */
  static String jsString(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\'' -> b.append("\\u0027");
        case '\\' -> b.append("\\\\");
        case '<' -> b.append("\\u003c");
        case '>' -> b.append("\\u003e");
        case '&' -> b.append("\\u0026");
        case '$' -> b.append("\\u0024");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
