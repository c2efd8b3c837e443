package dev.netpol.bench.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** PNG plots of results with JFreeChart, rendered headless. */
public final class Charts {
  static final int WIDTH = 900;
  static final int HEIGHT = 540;

  /** Series colours by configuration name; others cycle through the rest. */
  private static final Map<String, Color> COLOURS =
      Map.of(
          "bare", new Color(0x55, 0x55, 0x55),
          "no policy", new Color(0x1f, 0x77, 0xb4),
          "ebpf", new Color(0x2c, 0xa0, 0x2c),
          "iptables", new Color(0xd6, 0x27, 0x28));

  private static final Color[] OTHERS = {
    new Color(0x94, 0x67, 0xbd),
    new Color(0xff, 0x7f, 0x0e),
    new Color(0x8c, 0x56, 0x4b),
    new Color(0x17, 0xbe, 0xcf),
    new Color(0xbc, 0xbd, 0x22)
  };

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** A point of a line with its spread: x, median, low, high. */
  public record Point(double x, double y, double low, double high) {}

  /** Lines with error bars (the rounds' min..max) over x, optionally on a log axis. */
  public static void lines(
      Path png,
      String title,
      String subtitle,
      String xLabel,
      String yLabel,
      boolean logX,
      Map<String, List<Point>> series)
      throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (Map.Entry<String, List<Point>> e : series.entrySet()) {
      YIntervalSeries s = new YIntervalSeries(e.getKey());
      for (Point p : e.getValue()) {
        if (!Double.isNaN(p.y())) {
          s.add(p.x(), p.y(), p.low(), p.high());
        }
      }
      data.addSeries(s);
    }
    ValueAxis x = logX ? logAxis(xLabel) : new NumberAxis(xLabel);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(true);
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDrawXError(false);
    r.setDefaultLinesVisible(true);
    r.setDefaultShapesVisible(true);
    r.setErrorPaint(null);
    colour(r, data.getSeriesCount(), i -> data.getSeriesKey(i).toString());
    XYPlot plot = new XYPlot(data, x, y, r);
    save(png, title, subtitle, plot);
  }

  /** Points (no lines) of x against y, e.g. connect times over the time around a change. */
  public static void scatter(
      Path png,
      String title,
      String subtitle,
      String xLabel,
      String yLabel,
      boolean logY,
      Map<String, List<double[]>> series)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey(), false, true);
      for (double[] p : e.getValue()) {
        if (!logY || p[1] > 0) {
          s.add(p[0], p[1]);
        }
      }
      data.addSeries(s);
    }
    ValueAxis y = logY ? logAxis(yLabel) : new NumberAxis(yLabel);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    colour(r, data.getSeriesCount(), i -> data.getSeriesKey(i).toString());
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
    }
    XYPlot plot = new XYPlot(data, new NumberAxis(xLabel), y, r);
    save(png, title, subtitle, plot);
  }

  /** Grouped bars: one group per category, one bar per series. */
  public static void bars(
      Path png,
      String title,
      String subtitle,
      String categoryLabel,
      String valueLabel,
      Map<String, Map<String, Double>> series)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    series.forEach(
        (s, values) ->
            values.forEach(
                (c, v) -> {
                  if (!Double.isNaN(v)) {
                    data.addValue(v, s, c);
                  }
                }));
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.05);
    for (int i = 0; i < data.getRowCount(); i++) {
      r.setSeriesPaint(i, colourOf(data.getRowKey(i).toString(), i));
    }
    CategoryAxis c = new CategoryAxis(categoryLabel);
    c.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    CategoryPlot plot = new CategoryPlot(data, c, new NumberAxis(valueLabel), r);
    save(png, title, subtitle, plot);
  }

  private static LogAxis logAxis(String label) {
    LogAxis a = new LogAxis(label);
    a.setBase(10);
    a.setSmallestValue(1e-3);
    a.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per power of ten
    a.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.###"));
    return a;
  }

  private static void colour(
      org.jfree.chart.renderer.xy.AbstractXYItemRenderer r,
      int n,
      java.util.function.IntFunction<String> key) {
    for (int i = 0; i < n; i++) {
      r.setSeriesPaint(i, colourOf(key.apply(i), i));
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
  }

  private static Color colourOf(String series, int i) {
    for (Map.Entry<String, Color> e : COLOURS.entrySet()) {
      if (series.equals(e.getKey()) || series.startsWith(e.getKey() + " ")) {
        return e.getValue();
      }
    }
    return OTHERS[i % OTHERS.length];
  }

  private static void save(Path png, String title, String subtitle, org.jfree.chart.plot.Plot plot)
      throws IOException {
    plot.setBackgroundPaint(Color.WHITE);
    if (plot instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
      xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
    } else if (plot instanceof CategoryPlot cp) {
      cp.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }
    JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    if (subtitle != null && !subtitle.isBlank()) {
      chart.addSubtitle(new TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 11)));
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
  }
}
