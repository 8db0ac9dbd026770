package dev.concord.tensor.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds safetensors files byte by byte, bypassing {@link SafetensorsWriter}, so that tests can produce exactly
 * the layouts (valid or broken) they need.
 */
final class RawSafetensors {
    private RawSafetensors() {}

    /** 8-byte little-endian header length, the header bytes, then the data area. */
    static byte[] file(long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        return b.array();
    }

    static byte[] file(byte[] header, byte[] data) {
        return file(header.length, header, data);
    }

    static byte[] file(String headerJson, byte[] data) {
        return file(headerJson.getBytes(StandardCharsets.UTF_8), data);
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One tensor entry in JSON, as a writer would put it. */
    static String entry(String name, String dtype, long[] shape, long begin, long end) {
        StringBuilder s = new StringBuilder();
        s.append('"').append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i > 0 ? "," : "").append(shape[i]);
        }
        return s.append("],\"data_offsets\":[").append(begin).append(',').append(end).append("]}").toString();
    }
}
