package dev.udplab.client.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.runtime.ProcessProperties;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** {@code --plot}: a known sweep drawn into files that parse and carry their axis labels. */
class SweepPlotTest {

  static {
    ProcessProperties.apply();
  }

  /** The lab's sweep: loss falls as the client's SO_RCVBUF grows, p99 RTT rises with the queue. */
  static final List<SweepPlot.Point> SWEEP = List.of(new SweepPlot.Point(8192, 54.8, 54.0),
      new SweepPlot.Point(65536, 28.5, 211.2), new SweepPlot.Point(212992, 0.0, 529.8),
      new SweepPlot.Point(1 << 20, 0.0, 138.5), new SweepPlot.Point(4 << 20, 0.0, 432.0));

  private static List<String> texts(Document svg) {
    NodeList nodes = svg.getElementsByTagName("text");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      texts.add(nodes.item(i).getTextContent());
    }
    return texts;
  }

  @Test
  void an_svg_parses_as_xml_and_carries_the_axes_and_the_title(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sweep.svg");
    StringWriter said = new StringWriter();
    SweepPlot.write(file, SweepPlot.title("127.0.0.1:20001", "rcvbuf"), SweepPlot.Axis.RCVBUF, SWEEP, true,
        new PrintWriter(said, true));
    assertEquals("plot " + file + " (5 runs)\n", said.toString());
    DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
    // the file names the SVG 1.1 DTD by its w3.org address: parsed here without fetching it
    xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document svg = xml.newDocumentBuilder().parse(file.toFile());
    assertEquals("svg", svg.getDocumentElement().getTagName());
    List<String> texts = texts(svg);
    assertTrue(texts.contains("SO_RCVBUF asked for the client socket (bytes, log scale)"), texts.toString());
    assertTrue(texts.contains("loss (% of datagrams sent)"), texts.toString());
    assertTrue(texts.contains("p99 round-trip time (ms)"), texts.toString());
    assertTrue(texts.contains("flood to 127.0.0.1:20001: loss and p99 RTT by client SO_RCVBUF"), texts.toString());
    // byte-size ticks, as --rcvbuf takes them
    assertTrue(texts.contains("64K") && texts.contains("1M"), texts.toString());
    assertTrue(Files.size(file) < 100_000, "small enough to commit: " + Files.size(file));
  }

  @Test
  void a_png_reads_back_at_its_size(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("probes.png");
    SweepPlot.write(file, SweepPlot.title("127.0.0.1:20001", "find-max-rate"), SweepPlot.Axis.RATE,
        List.of(new SweepPlot.Point(181_000, 3.2, 4.1), new SweepPlot.Point(90_000, 0.0, 0.4),
            new SweepPlot.Point(135_000, 0.05, 0.9), new SweepPlot.Point(157_000, 0.3, null)), false,
        new PrintWriter(new StringWriter()));
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, "a PNG ImageIO can read");
    assertEquals(SweepPlot.WIDTH, image.getWidth());
    assertEquals(SweepPlot.HEIGHT, image.getHeight());
  }

  @Test
  void formats_follow_the_file_name_and_an_unwritable_file_exits_4(@TempDir Path dir) throws Exception {
    assertEquals(SweepPlot.Format.SVG, SweepPlot.Format.of(Path.of("a/b.SVG")));
    assertEquals(SweepPlot.Format.PNG, SweepPlot.Format.of(Path.of("b.png")));
    assertNull(SweepPlot.Format.of(Path.of("b.pdf")));
    Path file = Files.createFile(dir.resolve("not-a-directory")).resolve("plot.svg");
    CommandException e = org.junit.jupiter.api.Assertions.assertThrows(CommandException.class,
        () -> SweepPlot.write(file, "t", SweepPlot.Axis.RATE, SWEEP, true, new PrintWriter(new StringWriter())));
    assertEquals(4, e.exitCode());
    assertTrue(e.getMessage().startsWith("cannot write --plot " + file + ": "), e.getMessage());
  }
}
