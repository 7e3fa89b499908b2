package life.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import life.catalog.HardwareCatalog;
import org.junit.jupiter.api.Test;

/**
 * The serving simulator against published serving rows, none of which any default was fitted on. The bounds are the
 * errors published in docs/accuracy.md, rounded up: a change that makes them worse fails here.
 */
class ServingValidationTest {
  static final List<ServingValidator.Outcome> OUTCOMES = ServingValidator.run(ServingValidator.builtIn(),
      HardwareCatalog.builtIn());

  @Test
  void everyRowIsForecastOrSaysWhy() {
    assertEquals(293, OUTCOMES.size());
    long ok = OUTCOMES.stream().filter(ServingValidator.Outcome::ok).count();
    assertEquals(185, ok);
    for (ServingValidator.Outcome o : OUTCOMES) {
      assertTrue(o.ok() ? Double.isFinite(o.predicted()) && o.predicted() > 0 : !o.why().isEmpty(), o.toString());
    }
  }

  @Test
  void heldOutErrorsStayWithinThosePublished() {
    Map<String, Double> bound = Map.of("NVIDIA/TensorRT-LLM|max_load_throughput", 23.0,
        "NVIDIA/TensorRT-LLM|throughput_at_rate", 8.0, "NVIDIA/TensorRT-LLM|tpot", 11.0,
        "NVIDIA/TensorRT-LLM|ttft", 21.0, "samuel-bohman/AI-benchmarking-guide|max_load_throughput", 25.0,
        "ROCm/vllm|max_load_throughput", 26.0);
    List<ServingValidator.Summary> s = ServingValidator.summarize(OUTCOMES);
    assertEquals(bound.size(), s.size());
    for (ServingValidator.Summary x : s) {
      Double b = bound.get(x.source() + "|" + x.metric());
      assertTrue(b != null && x.mapePct() <= b, x.toString());
      assertEquals(x.source().equals("ROCm/vllm"), x.inSample(), x.toString());
    }
  }

  @Test
  void aBadCellIsAOneLineError() {
    String header = "source,hardware,devices,parallelism,framework,model,weight_dtype,act_dtype,kv_dtype,batch,"
        + "prompt_len,output_len,metric,value,unit,request_rate\n";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingValidator.parse("f.csv",
        header + "x,nvidia-h100-sxm5-80gb,1,none,vLLM,llama-3.1-8b,bf16,bf16,bf16,0,128,128,ttft_mean,5,tok/s,1\n"));
    assertTrue(e.getMessage().startsWith("f.csv row 2: unit 'tok/s' does not fit metric 'ttft_mean'"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServingValidator.parse("f.csv",
        header + "x,nvidia-h100-sxm5-80gb,1,none,vLLM,llama-3.1-8b,bf16,bf16,bf16,0,128,128,ttft_mean,5,ms,-1\n"));
    assertTrue(e.getMessage().contains("row 2: column 'request_rate'"), e.getMessage());
  }
}
