package dev.udplab.common.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The samples of one Prometheus text exposition (version 0.0.4, as {@code /metrics} serves it): the one parser of
 * both jars and their tests. Comments and blank lines are skipped; label values may hold escaped quotes,
 * backslashes and newlines; a timestamp after the value is ignored.
 *
 * @param samples every sample line, in order
 */
public record PrometheusSamples(List<Sample> samples) {

  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  public PrometheusSamples {
    samples = List.copyOf(samples);
  }

  /**
   * Parses exposition text.
   *
   * @throws IllegalArgumentException naming the first line that is not a sample, a comment or blank
   */
  public static PrometheusSamples parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      samples.add(sample(line));
    }
    return new PrometheusSamples(samples);
  }

  /** The sum of every sample of {@code name} whose labels include all of {@code wanted}, or null when none does. */
  public Double sum(String name, Map<String, String> wanted) {
    double total = 0;
    boolean found = false;
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(wanted.entrySet())) {
        total += s.value();
        found = true;
      }
    }
    return found ? total : null;
  }

  /** {@link #sum} per value of {@code label}, sorted by it; empty when no sample matches. */
  public Map<String, Double> sumBy(String name, String label, Map<String, String> wanted) {
    Map<String, Double> sums = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().containsKey(label)
          && s.labels().entrySet().containsAll(wanted.entrySet())) {
        sums.merge(s.labels().get(label), s.value(), Double::sum);
      }
    }
    return sums;
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    String name = line.substring(0, i);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("not a Prometheus sample: " + line);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length == 0 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("a Prometheus sample without a value: " + line);
    }
    return new Sample(name, Map.copyOf(labels), value(rest[0], line));
  }

  /** Reads {@code k="v",...}} from {@code i} into {@code labels}; returns the index after the closing brace. */
  private static int labels(String line, int i, Map<String, String> labels) {
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '}') {
        return i + 1;
      }
      if (c == ',' || c == ' ') {
        i++;
        continue;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("bad labels in Prometheus sample: " + line);
      }
      String key = line.substring(i, eq).strip();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < line.length() && line.charAt(j) != '"'; j++) {
        char v = line.charAt(j);
        if (v == '\\' && j + 1 < line.length()) {
          char next = line.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(v);
        }
      }
      if (j >= line.length()) {
        throw new IllegalArgumentException("unterminated label value in Prometheus sample: " + line);
      }
      labels.put(key, value.toString());
      i = j + 1;
    }
    throw new IllegalArgumentException("unterminated labels in Prometheus sample: " + line);
  }

  private static double value(String text, String line) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a number in Prometheus sample: " + line);
        }
    }
  }
}
