package dev.udplab.common.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.micrometer.PrometheusRequestHandler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server behind {@code /metrics}, built to stay up for Prometheus and Kubernetes probes whoever else can
 * reach it (a public {@code --metrics-host}). Without these limits 500 idle TCP connections and 50 slowloris ones
 * (request headers a byte at a time) stayed open for good, and at the descriptor limit the endpoint died.
 * <ul>
 *   <li>At most {@value #MAX_CONNECTIONS} connections at once. Beyond that, the oldest connections that are
 *       waiting for a request (idle, or still sending their headers) are closed, a millisecond later (connections
 *       being answered are left to finish). So a flood of connections costs the process about that many
 *       descriptors (plus what it accepts in that millisecond) and cannot lock a scrape out: a scrape's headers
 *       arrive within a moment of its connect and make it busy, and only waiting connections are closed.</li>
 *   <li>A connection must deliver a request's headers within {@value #REQUEST_HEADER_TIMEOUT_MILLIS} ms of opening
 *       or of its previous response, whatever it trickles in the meantime; one with no traffic either way for
 *       {@value #IDLE_TIMEOUT_SECONDS} s is closed (a client that stops reading its response).</li>
 *   <li>{@code GET} and {@code HEAD} of {@code /metrics} only: another method is answered 405 with {@code Allow},
 *       another path 404. HTTP/1.1 only (no h2c upgrade, no prior-knowledge HTTP/2).</li>
 * </ul>
 * Every callback runs on the server's one event loop, so the connection table needs no lock.
 */
final class MetricsHttpServer {

  /** Connections open at once; Prometheus and three probes need four. */
  static final int MAX_CONNECTIONS = 32;
  /** How long a connection may take to send a request's headers. */
  static final long REQUEST_HEADER_TIMEOUT_MILLIS = 5_000;
  /** How long a connection may see no traffic at all. */
  static final int IDLE_TIMEOUT_SECONDS = 30;
  /** The path served. */
  static final String PATH = "/metrics";

  private static final long BUSY = -1;
  /** How soon after the cap is exceeded the oldest waiting connections are closed. */
  private static final long TRIM_DELAY_MILLIS = 1;

  private final Vertx vertx;
  private final Handler<HttpServerRequest> scrape;
  // open connections in the order they last began to wait, each with its header timer, or BUSY while answered
  private final Map<HttpConnection, Long> connections = new LinkedHashMap<>();
  private boolean trimScheduled;

  private MetricsHttpServer(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.scrape = PrometheusRequestHandler.create(registry);
  }

  /** A server (not yet listening) that serves {@code registry} under these limits. */
  static HttpServer create(Vertx vertx, PrometheusMeterRegistry registry) {
    MetricsHttpServer limits = new MetricsHttpServer(vertx, registry);
    HttpServerOptions options = new HttpServerOptions()
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(false);
    return vertx.createHttpServer(options)
        .connectionHandler(limits::connected)
        .requestHandler(limits::request);
  }

  private void connected(HttpConnection connection) {
    connection.closeHandler(closed -> {
      Long timer = connections.remove(connection);
      if (timer != null && timer != BUSY) {
        vertx.cancelTimer(timer);
      }
    });
    awaitRequest(connection);
    if (connections.size() > MAX_CONNECTIONS && !trimScheduled) {
      // Not at once: under a flood the event loop registers a batch of new connections before it reads from any,
      // and a scrape accepted early in the batch must get the chance to send its request before it is the oldest.
      trimScheduled = true;
      vertx.setTimer(TRIM_DELAY_MILLIS, trim -> trim());
    }
  }

  /** Closes the oldest waiting connections until at most {@link #MAX_CONNECTIONS} are open (busy ones are left). */
  private void trim() {
    trimScheduled = false;
    List<HttpConnection> closing = new ArrayList<>();
    Iterator<Map.Entry<HttpConnection, Long>> it = connections.entrySet().iterator();
    while (connections.size() > MAX_CONNECTIONS && it.hasNext()) {
      Map.Entry<HttpConnection, Long> oldest = it.next();
      if (oldest.getValue() != BUSY) {
        vertx.cancelTimer(oldest.getValue());
        it.remove();
        closing.add(oldest.getKey());
      }
    }
    closing.forEach(HttpConnection::close); // after the walk: a close may call back into the table
  }

  /** Starts (again) the wait for a request's headers, as the newest waiting connection. */
  private void awaitRequest(HttpConnection connection) {
    Long previous = connections.remove(connection);
    if (previous != null && previous != BUSY) {
      vertx.cancelTimer(previous);
    }
    connections.put(connection, vertx.setTimer(REQUEST_HEADER_TIMEOUT_MILLIS, expired -> {
      connections.remove(connection);
      connection.close();
    }));
  }

  private void request(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Long timer = connections.replace(connection, BUSY);
    if (timer == null) {
      request.response().setStatusCode(503).putHeader("Connection", "close").end(); // closed under it
      return;
    }
    if (timer != BUSY) {
      vertx.cancelTimer(timer);
    }
    request.response().endHandler(ended -> {
      if (connections.containsKey(connection)) {
        awaitRequest(connection);
      }
    });
    if (!PATH.equals(request.path())) {
      request.response().setStatusCode(404).end();
    } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
    } else {
      scrape.handle(request);
    }
  }
}
