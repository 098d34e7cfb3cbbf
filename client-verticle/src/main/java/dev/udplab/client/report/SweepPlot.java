package dev.udplab.client.report;

import dev.udplab.common.cli.CommandException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * The chart of {@code --plot}: loss % (left axis) and p99 RTT (right axis) against the swept value of a sweep or
 * the probed rates of {@code --find-max-rate}, the figure a student pastes into a lab report. Drawn with JFreeChart,
 * written as SVG (JFreeSVG) or PNG by the file's ending; headless (see {@code ProcessProperties}).
 */
public final class SweepPlot {

  static final int WIDTH = 800;
  static final int HEIGHT = 480;
  static final String LOSS_LABEL = "loss (% of datagrams sent)";
  static final String RTT_LABEL = "p99 round-trip time (ms)";

  /** The file formats {@code --plot} writes, by the file's ending. */
  public enum Format {
    SVG, PNG;

    /** The format of {@code file}, or null when its name ends in neither {@code .svg} nor {@code .png}. */
    public static Format of(Path file) {
      String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
      return name.endsWith(".svg") ? SVG : name.endsWith(".png") ? PNG : null;
    }
  }

  /** What the horizontal axis is. */
  public enum Axis {
    /** {@code --sweep-rcvbuf}: a log scale, ticks as byte sizes. */
    RCVBUF("SO_RCVBUF asked for the client socket (bytes, log scale)"),
    /** {@code --sweep-rate} and {@code --find-max-rate}. */
    RATE("rate asked (datagrams per second)");

    final String label;

    Axis(String label) {
      this.label = label;
    }
  }

  /**
   * One run: where it goes on the horizontal axis, its loss and p99 RTT ({@code null} when the run cannot know it:
   * no replies expected, or none came back).
   */
  public record Point(double x, Double lossPercent, Double p99Millis) {

    /** {@code report} at {@code x}. */
    public static Point of(FloodReport report, double x) {
      return new Point(x, report.replies() ? report.lossPercent() : null,
          report.rttKnown() ? report.rtt().p99Millis() : null);
    }
  }

  private SweepPlot() {
  }

  /** {@code flood to 127.0.0.1:20001: loss and p99 RTT by client SO_RCVBUF}. */
  public static String title(String target, String swept) {
    String by = "rcvbuf".equals(swept) ? "by client SO_RCVBUF"
        : "rate".equals(swept) ? "by rate" : "of the --find-max-rate probes";
    return "flood to " + target + ": loss and p99 RTT " + by;
  }

  /**
   * Draws {@code points} into {@code file} and says so on {@code text}; {@code connect} joins them with lines (a sweep,
   * in the order given) or leaves them as marks (the probes of a search).
   *
   * @throws CommandException (exit 4) when the file cannot be written
   */
  public static void write(Path file, String title, Axis axis, List<Point> points, boolean connect,
      PrintWriter text) {
    JFreeChart chart = chart(title, axis, points, connect);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (Format.of(file) == Format.SVG) {
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, HEIGHT));
        SVGUtils.writeToSVG(file.toFile(), g2.getSVGElement());
      } else {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
      }
    } catch (IOException e) {
      throw CommandException.environment("cannot write --plot " + file + ": " + e.getMessage());
    }
    text.println("plot " + file + " (" + points.size() + " runs)");
    text.flush();
  }

  /** The chart itself: two series on two value axes over one shared horizontal axis. */
  static JFreeChart chart(String title, Axis axis, List<Point> points, boolean connect) {
    // rotated axis labels as text, not as glyph outlines: an SVG whose labels can be searched, and a third the size
    TextUtils.setUseDrawRotatedStringWorkaround(false);
    XYSeries loss = new XYSeries("loss %", !connect, true);
    XYSeries rtt = new XYSeries("p99 RTT ms", !connect, true);
    for (Point p : points) {
      if (axis == Axis.RCVBUF && p.x() <= 0) {
        continue;
      }
      // bytes on a log scale: plotted as log2, so that the ticks are plain text (LogAxis draws them as outlines)
      double x = axis == Axis.RCVBUF ? Math.log(p.x()) / Math.log(2) : p.x();
      if (p.lossPercent() != null) {
        loss.add(x, p.lossPercent());
      }
      if (p.p99Millis() != null) {
        rtt.add(x, p.p99Millis());
      }
    }
    NumberAxis x = new NumberAxis(axis.label);
    if (axis == Axis.RCVBUF) {
      TickUnits doublings = new TickUnits();
      for (int step : new int[] {1, 2, 4, 8}) {
        doublings.add(new NumberTickUnit(step, new ByteSizeFormat()));
      }
      x.setStandardTickUnits(doublings);
      x.setAutoRangeIncludesZero(false);
    } else {
      x.setAutoRangeIncludesZero(true);
    }
    NumberAxis lossAxis = new NumberAxis(LOSS_LABEL);
    lossAxis.setRange(0, Math.max(1, maxY(loss) * 1.1));
    NumberAxis rttAxis = new NumberAxis(RTT_LABEL);
    rttAxis.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(new XYSeriesCollection(loss), x, lossAxis, renderer(new Color(0xC0, 0x30, 0x30),
        connect));
    plot.setRangeAxis(1, rttAxis);
    plot.setDataset(1, new XYSeriesCollection(rtt));
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setRenderer(1, renderer(new Color(0x30, 0x60, 0xC0), connect));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static double maxY(XYSeries series) {
    return series.isEmpty() ? 0 : series.getMaxY();
  }

  private static XYLineAndShapeRenderer renderer(Color color, boolean lines) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(lines, true);
    renderer.setSeriesPaint(0, color);
    renderer.setSeriesStroke(0, new BasicStroke(2f));
    return renderer;
  }

  /** Tick labels of a byte axis plotted as log2 values, as {@code --rcvbuf} takes them: 8K, 64K, 1M, 4M. */
  static final class ByteSizeFormat extends NumberFormat {

    @Override
    public StringBuffer format(double log2, StringBuffer to, FieldPosition pos) {
      return format(Math.round(Math.pow(2, log2)), to, pos);
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
      if (number >= 1 << 30 && number % (1 << 30) == 0) {
        return to.append(number >> 30).append('G');
      }
      if (number >= 1 << 20 && number % (1 << 20) == 0) {
        return to.append(number >> 20).append('M');
      }
      if (number >= 1 << 10 && number % (1 << 10) == 0) {
        return to.append(number >> 10).append('K');
      }
      return to.append(number);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException("tick labels are only written");
    }
  }
}
