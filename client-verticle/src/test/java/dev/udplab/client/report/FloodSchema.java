package dev.udplab.client.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published schema of flood's JSON ({@code src/main/resources/schema/flood.schema.json}, shipped in the jar as
 * {@code schema/flood.schema.json}), loaded from the classpath as a user of the jar would find it, and checked with a
 * draft 2020-12 validator. {@code definition} names one of its {@code $defs}: {@code report}, {@code sweep},
 * {@code maxRate}, {@code streamLine}.
 */
public final class FloodSchema {

  /** Where the jar carries the schema. */
  public static final String RESOURCE = "schema/flood.schema.json";

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private FloodSchema() {
  }

  /** What is wrong with {@code json} as a {@code definition}: empty when it is valid. */
  public static List<String> errors(String definition, String json) {
    Schema schema = SCHEMAS.computeIfAbsent(definition,
        d -> REGISTRY.getSchema(SchemaLocation.of("classpath:" + RESOURCE + "#/$defs/" + d)));
    return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
  }

  /** Fails unless {@code json} is a valid {@code definition}. */
  public static void assertValid(String definition, String json) {
    assertEquals(List.of(), errors(definition, json), definition + ": " + json);
  }
}
