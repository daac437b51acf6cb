"""The real SkyThought generations in ../shared and the accuracies their authors reported."""

SKYTHOUGHT = "generations/skythought_sky-t1-32b-ablations.jsonl"  # relative to ../shared
REPORTED = {  # ../shared/README.md, percent over 30 problems, greedy pass@1
    "Sky-T1-math-corrupt-0.2-32B": 30.0,
    "Sky-T1-math-corrupt-0.5-32B": 36.7,
    "Sky-T1-math-reflection-0.2-32B": 33.3,
    "Sky-T1-math-reflection-0.5-32B": 36.7,
    "Sky-T1-math-reflection-1.0-32B": 33.3,
    "Sky-T1-math-correct-5K-32B-short-ckpts": 13.3,
}
