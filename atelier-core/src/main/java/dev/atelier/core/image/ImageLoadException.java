package dev.atelier.core.image;

import dev.atelier.core.AtelierException;

/** An image that cannot be used: missing, unreadable, in an unknown format, or too large. */
public final class ImageLoadException extends AtelierException {
    public ImageLoadException(String message) { super(message); }
    public ImageLoadException(String message, Throwable cause) { super(message, cause); }
}
