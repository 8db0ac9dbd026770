package dev.concord.model.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UTF-8 decoding follows Rust's {@code from_utf8_lossy}: one U+FFFD per maximal invalid subsequence, which is not
 * what a byte-by-byte or a Java {@code CharsetDecoder} replacement would always give.
 */
class LossyUtf8Test {

    private static String lossy(int... bytes) {
        byte[] data = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = (byte) bytes[i];
        }
        return LossyUtf8.decode(data);
    }

    @Test
    void validTextIsDecoded() {
        assertThat(lossy(0x41, 0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0xF0, 0x9F, 0x8E, 0x89)).isEqualTo("Aé日🎉");
    }

    @Test
    void aTruncatedSequenceIsOneReplacement() {
        assertThat(lossy(0xF0, 0x9F, 0x8E, 0x41)).isEqualTo("\uFFFDA");
        assertThat(lossy(0xE6, 0x97)).isEqualTo("\uFFFD");
    }

    @Test
    void bytesThatCanStartNothingAreReplacedOneByOne() {
        assertThat(lossy(0x80, 0xBF)).isEqualTo("\uFFFD\uFFFD");
        assertThat(lossy(0xC0, 0xAF)).isEqualTo("\uFFFD\uFFFD");
        assertThat(lossy(0xFF, 0x41)).isEqualTo("\uFFFDA");
    }

    @Test
    void surrogatesAndOutOfRangeCodePointsAreInvalidFromTheSecondByte() {
        assertThat(lossy(0xED, 0xA0, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(lossy(0xF4, 0x90, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        assertThat(lossy(0xE0, 0x80, 0x80)).isEqualTo("\uFFFD\uFFFD\uFFFD");
    }

    @Test
    void strictDecodingRejectsAnyInvalidByte() {
        assertThat(LossyUtf8.decodeStrict(new byte[] {(byte) 0xC3, (byte) 0xA9})).isEqualTo("é");
        assertThat(LossyUtf8.decodeStrict(new byte[] {(byte) 0xC3})).isNull();
        assertThat(LossyUtf8.decodeStrict(new byte[] {0x41, (byte) 0xED, (byte) 0xA0, (byte) 0x80})).isNull();
    }
}
