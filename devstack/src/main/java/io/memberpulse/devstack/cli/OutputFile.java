package io.memberpulse.devstack.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where a command writes its CSV: checked before the work starts, so that a mistyped folder costs nothing. */
final class OutputFile {
    private OutputFile() {
    }

    /** Why the file cannot be written, if it cannot: no such folder, or one not writable. */
    static Optional<String> whyNotWritable(Path out) {
        Path folder = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            return Optional.of("cannot write " + out + ": there is no folder " + folder);
        }
        if (!Files.isWritable(folder)) {
            return Optional.of("cannot write " + out + ": the folder " + folder + " is not writable");
        }
        return Optional.empty();
    }
}
