package dev.concord.adapter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON dialect of adapter_config.json: read strictly (duplicate keys and trailing garbage are errors, numbers
 * keep their int/float spelling and exact value) and written the way Python's {@code json.dumps(indent=2)} writes it, so a config
 * Concord saves looks like one PEFT saves and the same config always gives the same bytes.
 */
final class ConfigJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // keeps every float exactly as written, even ones beyond double range in fields Concord only carries
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // ... and as spelled: 0.0 must stay 0.0, not become the integer 0
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private ConfigJson() {}

    static String write(JsonNode node) {
        try {
            return MAPPER.writer(new PythonStylePrinter()).writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code "key": value}, two-space indent, one array element per line, empty containers as {} and []. */
    private static final class PythonStylePrinter extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;
        private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");

        PythonStylePrinter() {
            super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            indentObjectsWith(INDENT);
            indentArraysWith(INDENT);
        }

        private PythonStylePrinter(PythonStylePrinter base) {
            super(base);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new PythonStylePrinter(this);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries == 0) {
                --_nesting;
                g.writeRaw('}');
            } else {
                super.writeEndObject(g, entries);
            }
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values == 0) {
                --_nesting;
                g.writeRaw(']');
            } else {
                super.writeEndArray(g, values);
            }
        }
    }
}
