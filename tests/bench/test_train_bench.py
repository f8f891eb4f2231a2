from simdr_lite.bench import available
from simdr_lite.bench.train import main


def test_bench_train_smoke_prints_both_heads_and_ratio(capsys):
    assert "train" in available()
    main(["--quick", "--steps", "1", "--batch", "2"])
    out = capsys.readouterr().out
    assert "heatmap" in out and "simdr" in out
    ratio = float(out.rsplit("ratio:", 1)[1].split()[0])
    assert ratio > 0
