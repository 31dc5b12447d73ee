package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDManager;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.train.TrainingData;
import java.nio.file.Path;
import java.util.*;

public class ScratchExperiment {
  public static void main(String[] a) throws Exception {
    String id = a[0]; int epochs = Integer.parseInt(a[1]); double lr = Double.parseDouble(a[2]);
    TrainingData d = TrainingData.load(Path.of("/work/shared/data/clinc150/data_full.json"), null, Columns.DEFAULT, false, 0.15, 42);
    Map<String,Integer> idx = new HashMap<>(); for (String l : d.labels()) idx.put(l, idx.size());
    EncoderSpec spec = EncoderRegistry.builtIn().get(id);
    TextTokenizer tok = TextTokenizer.fromBytes(ClasspathResources.readAll(spec.tokenizerResource()), 128);
    List<LabeledText> val = d.validation().stream().filter(v -> idx.containsKey(v.intent())).toList();
    FineTuner.Examples tr = new FineTuner.Examples(tok.encodeAll(d.train().stream().map(LabeledText::text).toList()), d.train().stream().mapToInt(t -> idx.get(t.intent())).toArray());
    FineTuner.Examples va = new FineTuner.Examples(tok.encodeAll(val.stream().map(LabeledText::text).toList()), val.stream().mapToInt(t -> idx.get(t.intent())).toArray());
    BertWeights w = BertWeights.read(EncoderGraphs.model(spec));
    long t0 = System.nanoTime();
    try (NDManager m = TorchRuntime.manager(2, 42)) {
      FineTuner.Result r = new FineTuner(FineTuneConfig.defaults().withEpochs(epochs).withLearningRates(lr, 2e-3)).train(m, spec, w, d.labels().size(), tr, null, va, new FineTuner.Listener() {
        public void step(int s, int total, double loss) { if (s % 50 == 0) System.out.printf("step %d/%d loss %.4f %.1fs%n", s, total, loss, (System.nanoTime()-t0)/1e9); }
        public void epochFinished(FineTuner.EpochRecord e) { System.out.println(e); }
      });
    }
  }
}
