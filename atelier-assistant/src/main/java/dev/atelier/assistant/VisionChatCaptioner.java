package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.vision.caption.Captioner;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Captions and answers questions about pictures with any vision chat model (an OpenAI-compatible server with image
 * parts, e.g. Ollama's llava or qwen2.5-vl). The model is not closed here: whoever opened it closes it.
 */
public final class VisionChatCaptioner implements Captioner {
    /** Pictures are scaled down to this long side before sending; more detail only costs tokens. */
    public static final int SIDE = 1024;

    private final ChatModel model;

    public VisionChatCaptioner(ChatModel model) { this.model = model; }

    @Override
    public String caption(BufferedImage image) {
        return ask(image, prompt("caption-system.txt"), prompt("caption-user.txt"), 120);
    }

    /** The model's answer to a question about the picture. */
    public String answer(BufferedImage image, String question) {
        return ask(image, prompt("answer-system.txt"), question, 400);
    }

    private String ask(BufferedImage image, String system, String text, int maxTokens) {
        List<ChatMessage> messages = List.of(ChatMessage.system(system), new ChatMessage(ChatMessage.Role.USER,
                List.of(new ChatMessage.Image(png(image), "image/png"), new ChatMessage.Text(text))));
        String answer = model.chat(new ChatRequest(messages, ChatOptions.DEFAULTS.withTemperature(0).withMaxTokens(maxTokens))).text();
        if (answer == null || answer.isBlank()) {
            throw new AtelierException("The vision model " + model.name() + " returned no text about the picture; "
                    + "use a model that accepts images (for example ollama:llava or ollama:qwen2.5vl).");
        }
        return answer.strip();
    }

    /**
     * The picture as PNG for a vision model, scaled so its long side is at most {@link #SIDE}: more detail only
     * costs tokens. The planner's picture input and this captioner send the same encoding.
     */
    public static byte[] png(BufferedImage picture) {
        int longSide = Math.max(picture.getWidth(), picture.getHeight());
        if (longSide > SIDE) {
            double s = (double) SIDE / longSide;
            int w = Math.max(1, (int) Math.round(picture.getWidth() * s)), h = Math.max(1, (int) Math.round(picture.getHeight() * s));
            BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(picture, 0, 0, w, h, null);
            g.dispose();
            picture = scaled;
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(picture, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String prompt(String name) {
        try (InputStream in = VisionChatCaptioner.class.getResourceAsStream("prompts/" + name)) {
            if (in == null) throw new IllegalStateException("missing prompt resource dev/atelier/assistant/prompts/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
