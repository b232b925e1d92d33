package io.gasok.examples.gesture;

/** Messages for one-line errors. */
final class Text {
    private Text() {}

    /** The message of {@code error}, or its type where it has none. */
    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message.strip();
    }
}
