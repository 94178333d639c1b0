package dev.atelier.diffusion.pipeline;

import dev.atelier.core.image.ImageTensors;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * Previews through a TAESD decoder ONNX model (one input: the scaled latents [1, 4, h, w]; one output: the image
 * [1, 3, 8h, 8w] in [0, 1], as madebyollin's TAESD decoders give it).
 */
public final class TaesdPreview implements LatentPreview, AutoCloseable {
    private final ModelSession decoder;
    private final String inputName;

    public TaesdPreview(ModelSession decoder) {
        this.decoder = decoder;
        if (decoder.inputs().size() != 1) {
            throw new dev.atelier.core.AtelierException("the TAESD decoder should take one input (the latents) but "
                    + "declares " + decoder.inputs() + "; pass a TAESD decoder ONNX file");
        }
        TensorSpec in = decoder.inputs().getFirst();
        this.inputName = in.name();
    }

    @Override
    public BufferedImage render(float[] latents, int h, int w) {
        Map<String, Tensor.Floats> out = decoder.run(Map.of(inputName, Tensor.of(latents.clone(), 1, 4, h, w)));
        Tensor.Floats image = out.values().iterator().next();
        long[] shape = image.shape();
        float[] data = image.data().clone();
        for (int i = 0; i < data.length; i++) data[i] = data[i] * 2f - 1f;
        return ImageTensors.fromNchw(data, 0, (int) shape[2], (int) shape[3]);
    }

    @Override
    public void close() {
        decoder.close();
    }
}
