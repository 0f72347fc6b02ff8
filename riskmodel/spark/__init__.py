"""The same cohort, features and scoring on Apache Spark (the optional ``riskmodel[spark]`` extra).

This is the only package that imports :mod:`pyspark`, and it does so inside the
functions that need it, so ``import riskmodel.spark`` works without PySpark. Nothing
here is a second implementation: each shard of children is handed to the same
pandas builders as the local path (``groupBy(...).applyInPandas``), and the results
come back as Spark DataFrames. Scoring (:func:`score_spark`) ranks and bands on
Spark with windows, joins the score history on Spark and counts the drift bins
there (:func:`write_scores_spark` writes the local engine's files), and the
review's and audit's per-group counts are aggregated on Spark
(:func:`group_counts_spark`), so only small tables reach the driver. To train
on a frame larger than the driver, :func:`sample_negatives_spark` draws every care
entry and a weighted share of the rest on Spark before the collect.

:func:`read_tables_spark` reads the tables themselves on Spark (a data or region
directory, or catalogue tables) into a :class:`SparkData`: coerced and validated on
the executors by the local rules, with the few facts the jobs need (extract date,
summaries, coverage) counted on Spark, so no whole table is held by the driver.
"""

from riskmodel.spark._aggregates import group_counts_spark, group_rates
from riskmodel.spark._cohort import cohort_counts_spark
from riskmodel.spark._data import SparkData, read_tables_spark
from riskmodel.spark._frame import build_training_frame_spark, collect_training_frame
from riskmodel.spark._sample import sample_negatives_spark, sample_weights
from riskmodel.spark._score import SparkScores, check_children, score_spark
from riskmodel.spark._tables import spark_tables
from riskmodel.spark._write import history_folders, output_folders, write_scores_spark

__all__ = [
    "SparkData",
    "SparkScores",
    "build_training_frame_spark",
    "check_children",
    "cohort_counts_spark",
    "collect_training_frame",
    "group_counts_spark",
    "group_rates",
    "history_folders",
    "output_folders",
    "read_tables_spark",
    "sample_negatives_spark",
    "sample_weights",
    "score_spark",
    "spark_tables",
    "write_scores_spark",
]
