package dev.concord.tensor.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.concord.error.InvalidInputException;
import dev.concord.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated JSON header of a safetensors file. Validation happens here, once, before any
 * tensor byte is touched: every later read can trust offsets, sizes and dtypes.
 *
 * <p>The header is read with a streaming parser rather than a JSON tree: a header may legally approach the
 * 100 MB limit, and a tree of it would need well over a gigabyte of heap and many seconds, while the entries
 * themselves need a fraction of that.
 */
public record SafetensorsHeader(Map<String, TensorEntry> tensors, Map<String, String> metadata) {
    /** The format's reference implementation refuses headers above 100 MB; so do we. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    /** Longest excerpt of a name or value quoted in an error message. */
    private static final int MAX_QUOTED_CHARS = 120;

    // Plain strict JSON: no comments, no NaN, no single quotes, no leading zeros (all off by default). Duplicate
    // keys are detected below rather than by the parser so that the message can name the tensor. Tensor names
    // are mostly distinct, so Jackson's name canonicalization (a shared symbol table) would only cost memory.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    public SafetensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses header bytes and checks them against the size of the data area that follows the header.
     *
     * @param where how to name the file in error messages
     * @throws InvalidInputException whatever is wrong with the header, in one line starting with {@code where}
     */
    public static SafetensorsHeader parse(byte[] headerBytes, long dataSize, String where) {
        checkUtf8(headerBytes, where);
        if (headerBytes.length == 0 || headerBytes[0] != '{') {
            throw bad(where, "header must be a JSON object starting with '{'"
                    + (headerBytes.length == 0 ? " (it is empty)" : ""));
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(headerBytes)) {
            p.nextToken(); // START_OBJECT, guaranteed by the first byte
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (key.equals(METADATA_KEY)) {
                    if (sawMetadata) {
                        throw bad(where, "__metadata__ appears twice");
                    }
                    sawMetadata = true;
                    readMetadata(p, metadata, where);
                } else {
                    TensorEntry e = readEntry(p, key, where);
                    if (tensors.putIfAbsent(key, e) != null) {
                        throw bad(where, "tensor " + quote(key) + " appears twice in the header");
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw bad(where, "header JSON object is not closed");
            }
            if (p.nextToken() != null) {
                throw bad(where, "header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw bad(where, "header is not valid JSON (" + oneLine(e.getOriginalMessage())
                    + (at >= 0 ? " at byte " + at + " of the header" : "") + ")");
        } catch (IOException e) {
            throw bad(where, "header could not be parsed (" + oneLine(e.getMessage()) + ")");
        }
        checkLayout(tensors, dataSize, where);
        return new SafetensorsHeader(tensors, metadata);
    }

    /** Strict UTF-8 (no overlong forms, no surrogates), checked in chunks so the header is not copied. */
    private static void checkUtf8(byte[] bytes, String where) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                throw bad(where, "header is not valid UTF-8 (at byte " + in.position() + " of the header)");
            }
            if (r.isUnderflow()) {
                break;
            }
            out.clear();
        }
    }

    private static void readMetadata(JsonParser p, Map<String, String> out, String where) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(where, "__metadata__ must be an object of strings, found " + describe(p));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                throw bad(where, "__metadata__ value for " + quote(key) + " is not a string but " + describe(p));
            }
            if (out.putIfAbsent(key, p.getText()) != null) {
                throw bad(where, "__metadata__ key " + quote(key) + " appears twice");
            }
        }
    }

    private static TensorEntry readEntry(JsonParser p, String name, String where) throws IOException {
        if (name.isEmpty()) {
            throw bad(where, "a tensor has an empty name");
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(where, label(name) + " must be described by an object, found " + describe(p));
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtypeName != null) {
                        throw bad(where, label(name) + " has two dtype fields");
                    }
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw bad(where, label(name) + " dtype must be a string, found " + describe(p));
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw bad(where, label(name) + " has two shape fields");
                    }
                    shape = readNonNegativeLongs(p, where, name, "shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw bad(where, label(name) + " has two data_offsets fields");
                    }
                    offsets = readNonNegativeLongs(p, where, name, "data_offsets");
                }
                // The reference implementation ignores fields it does not know; they cannot affect the data.
                default -> p.skipChildren();
            }
        }
        if (dtypeName == null) {
            throw bad(where, label(name) + " has no dtype");
        }
        String dt = dtypeName;
        DType dtype = DType.fromSafetensorsName(dt).orElseThrow(() -> bad(where, label(name) + " has unknown dtype "
                + quote(dt) + " (known: " + DType.knownNames() + ")"));
        if (shape == null) {
            throw bad(where, label(name) + " has no shape");
        }
        if (offsets == null || offsets.length != 2) {
            throw bad(where, label(name) + " needs data_offsets [begin, end]"
                    + (offsets == null ? "" : ", found " + offsets.length + " numbers"));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(where, label(name) + " has data_offsets end " + end + " before begin " + begin);
        }
        long expected = expectedBytes(dtype, shape, where, name);
        if (end - begin != expected) {
            throw bad(where, label(name) + " " + dtype + Arrays.toString(shape) + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static long expectedBytes(DType dtype, long[] shape, String where, String name) {
        long numel = 1;
        for (long d : shape) {
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw bad(where, label(name) + " shape " + Arrays.toString(shape) + " has more than 2^63 elements");
            }
        }
        long bits;
        try {
            bits = Math.multiplyExact(numel, (long) dtype.bits());
        } catch (ArithmeticException e) {
            throw bad(where, label(name) + " " + dtype + Arrays.toString(shape) + " is larger than 2^63 bits");
        }
        if (bits % 8 != 0) {
            throw bad(where, label(name) + " " + dtype + Arrays.toString(shape) + " does not fill whole bytes ("
                    + numel + " elements of " + dtype.bits() + " bits)");
        }
        return bits / 8;
    }

    private static long[] readNonNegativeLongs(JsonParser p, String where, String name, String field)
            throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad(where, label(name) + " " + field + " must be an array of non-negative integers, found "
                    + describe(p));
        }
        long[] values = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw bad(where, label(name) + " " + field + " must hold non-negative integers below 2^63, found "
                        + describe(p));
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    /** A short description of the current token for error messages. */
    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + quote(p.getText());
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> abbreviate(p.getText());
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    /** Sorted by offset, tensors must tile the data area exactly: no hole, no overlap, nothing left over. */
    private static void checkLayout(Map<String, TensorEntry> tensors, long dataSize, String where) {
        List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long cursor = 0;
        String previous = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < cursor) {
                throw bad(where, "tensor " + quote(e.name()) + " (bytes " + e.begin() + ".." + e.end()
                        + ") overlaps tensor " + quote(previous) + " which ends at " + cursor);
            }
            if (e.begin() > cursor) {
                throw bad(where, "gap in the data area before tensor " + quote(e.name()) + " (bytes " + cursor
                        + ".." + e.begin() + " belong to no tensor)");
            }
            cursor = e.end();
            previous = e.name();
        }
        if (cursor > dataSize) {
            throw bad(where, "tensor data ends at byte " + cursor + " of the data area but the file holds only "
                    + dataSize + " (truncated file?)");
        }
        if (cursor < dataSize) {
            throw bad(where, "the data area has " + (dataSize - cursor) + " trailing bytes that belong to no tensor");
        }
    }

    /** How error messages name a tensor; built only when a message is needed. */
    private static String label(String name) {
        return "tensor " + quote(name);
    }

    /** Quotes a name for a one-line message: control characters escaped, long names shortened. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        int limit = Math.min(s.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > limit) {
            b.append("…(").append(s.length()).append(" chars)");
        }
        return b.append('\'').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…(" + s.length() + " chars)";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "parse error";
        }
        String line = s.lines().findFirst().orElse("");
        int marker = line.indexOf(" (start marker at ");
        if (marker > 0) {
            line = line.substring(0, marker); // Jackson's location detail, without the source it is redacted anyway
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < line.length() && b.length() < 200; i++) {
            char c = line.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    static InvalidInputException bad(String where, String what) {
        return new InvalidInputException(where + ": " + what);
    }
}
