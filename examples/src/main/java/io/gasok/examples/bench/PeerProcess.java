package io.gasok.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A peer in a process of its own that speaks the bench's line protocol (NumPy in python3, CLBlast
 * in a small C program): its first line is a JSON object describing it, or {@code {"error": ...}}
 * when it cannot run; then each request line {@code CALLS OP ARGS...} is answered by one JSON line,
 * {@code {"seconds": total}} for CALLS calls timed on its side, or {@code {"error": ...}}. The
 * gesture bench's NumPy trainer speaks its own requests over the same framing ({@link #request}).
 */
public final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BufferedReader answers;
    private final Writer requests;
    private final StringBuilder errors = new StringBuilder();
    private final Map<String, Object> info;

    /**
     * Starts {@code builder}'s command as peer {@code name} and reads its first line.
     *
     * @throws PeerUnavailableException "NAME not present: why" when the command cannot start, ends
     *     at once or answers its first line with an error
     */
    public static PeerProcess start(String name, ProcessBuilder builder) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new PeerUnavailableException(name + " not present: " + builder.command().getFirst() + " not found");
        }
        try {
            PeerProcess peer = new PeerProcess(name, process);
            Object error = peer.info.get("error");
            if (error != null) {
                peer.close();
                throw new PeerUnavailableException(name + " not present: " + error);
            }
            return peer;
        } catch (IOException e) {
            process.destroyForcibly();
            throw new PeerUnavailableException(name + " not present: " + e.getMessage());
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private PeerProcess(String name, Process process) throws IOException {
        this.name = name;
        this.process = process;
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name(name + "-peer-stderr").start(() -> {
            try (BufferedReader err = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    synchronized (errors) {
                        if (errors.length() < 4000) {
                            errors.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        this.info = readAnswer();
    }

    /** The peer's first line: what it is (versions, device). */
    public Map<String, Object> info() {
        return info;
    }

    /**
     * Seconds for {@code calls} calls of {@code request} (e.g. {@code gemm 1024}), timed by the peer.
     *
     * @throws PeerUnavailableException when the peer answers with an error or ends
     */
    double time(int calls, String request) {
        Map<String, Object> answer = exchange(calls + " " + request, request);
        try {
            return seconds(answer);
        } catch (IOException e) {
            throw new PeerUnavailableException(name + " failed on '" + request + "': " + e.getMessage());
        }
    }

    /**
     * Sends one request line and returns its answer, a JSON object.
     *
     * @throws PeerUnavailableException when the peer answers with an error, with something else
     *     than a JSON object, or ends
     */
    public Map<String, Object> request(String line) {
        return exchange(line, line);
    }

    /** Sends {@code line}; errors name the request as {@code what}. */
    private Map<String, Object> exchange(String line, String what) {
        try {
            requests.write(line + "\n");
            requests.flush();
            Map<String, Object> answer = readAnswer();
            if (answer.get("error") != null) {
                throw new PeerUnavailableException(name + " failed on '" + what + "': " + answer.get("error"));
            }
            return answer;
        } catch (IOException e) {
            throw new PeerUnavailableException(name + " failed on '" + what + "': " + e.getMessage() + stderrTail());
        }
    }

    /** The {@code seconds} of an answer; an answer without a non-negative number is not one. */
    static double seconds(Map<String, Object> answer) throws IOException {
        if (!(answer.get("seconds") instanceof Number seconds) || !(seconds.doubleValue() >= 0)) {
            throw new IOException("answer without seconds: " + Json.writeLine(answer));
        }
        return seconds.doubleValue();
    }

    /** One answer line as a JSON object; anything else is an IOException quoting the line. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseAnswer(String peer, String line) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException("unexpected output from the " + peer + " peer: " + line);
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw new IOException("unexpected output from the " + peer + " peer: " + line);
        }
        return (Map<String, Object>) parsed;
    }

    private Map<String, Object> readAnswer() throws IOException {
        String line = answers.readLine();
        if (line == null) {
            throw new IOException("the " + name + " peer ended (exit code "
                    + (process.isAlive() ? "?" : Integer.toString(process.exitValue())) + ")" + stderrTail());
        }
        return parseAnswer(name, line);
    }

    private String stderrTail() {
        try {
            process.waitFor(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (errors) {
            String text = errors.toString().strip();
            if (text.isEmpty()) {
                return "";
            }
            String[] lines = text.split("\n");
            return ": " + lines[lines.length - 1];
        }
    }

    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException ignored) {
            // the process is gone already
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
