package dev.concord.analysis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;

/**
 * The JSON form of an {@link AnalysisReport} (schema in docs/analysis.md): snake_case keys, and every undefined or
 * non-finite number written as {@code null} (JSON has no NaN), so that any JSON parser reads the file.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = mapper();

    private ReportJson() {}

    private static ObjectMapper mapper() {
        SimpleModule finite = new SimpleModule("finite-numbers");
        JsonSerializer<Double> doubles = new JsonSerializer<>() {
            @Override
            public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (v == null || !Double.isFinite(v)) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
            }
        };
        finite.addSerializer(Double.class, doubles);
        finite.addSerializer(Double.TYPE, doubles);
        finite.addSerializer(double[].class, new JsonSerializer<>() {
            @Override
            public void serialize(double[] v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeStartArray();
                for (double x : v) {
                    if (Double.isFinite(x)) {
                        g.writeNumber(x);
                    } else {
                        g.writeNull();
                    }
                }
                g.writeEndArray();
            }
        });
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .registerModule(finite)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The report as a JSON tree (for callers that print with their own mapper). */
    public static JsonNode tree(AnalysisReport report) {
        return MAPPER.valueToTree(report);
    }

    public static String render(AnalysisReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the analysis report as JSON", e);
        }
    }
}
