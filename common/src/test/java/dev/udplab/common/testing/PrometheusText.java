package dev.udplab.common.testing;

import dev.udplab.common.runtime.PrometheusSamples;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads Prometheus text exposition as tests need it: scrape a URL, sum the series of a name with some labels (parsed
 * by common's {@link PrometheusSamples}, the one parser).
 */
public final class PrometheusText {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusText() {
  }

  /** GETs {@code url} and returns the body; AssertionError on any status but 200. */
  public static String scrape(String url) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET " + url + " answered " + response.statusCode());
    }
    return response.body();
  }

  /** Whether any series of {@code name} carries all {@code labelPairs} ({@code "k=v"}). */
  public static boolean has(String scrape, String name, String... labelPairs) {
    return sum(scrape, name, labelPairs) != null;
  }

  /** The sum of every series of {@code name} whose labels include all {@code labelPairs}; AssertionError if none. */
  public static double value(String scrape, String name, String... labelPairs) {
    Double total = sum(scrape, name, labelPairs);
    if (total == null) {
      throw new AssertionError("no series " + name + " with " + String.join(",", labelPairs) + " in:\n" + scrape);
    }
    return total;
  }

  /** {@link #value} as a whole count. */
  public static long count(String scrape, String name, String... labelPairs) {
    return (long) value(scrape, name, labelPairs);
  }

  private static Double sum(String scrape, String name, String... labelPairs) {
    Map<String, String> wanted = new HashMap<>();
    for (String pair : labelPairs) {
      String[] kv = pair.split("=", 2);
      wanted.put(kv[0], kv[1]);
    }
    return PrometheusSamples.parse(scrape).sum(name, wanted);
  }
}
