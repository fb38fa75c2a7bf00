"""Batch benchmarking of solver runs (``ccusplan bench``).

A suite (:mod:`.suite`) lists cases × solvers × settings × repeats; each run is
solved in its own process under a hard time limit (:mod:`.isolate`, :mod:`.child`),
on local worker processes (:mod:`.local`) or a Dask cluster (:mod:`.dask_backend`);
every finished run is appended at once to a resumable results table
(:mod:`.results`) by :mod:`.batch`; :mod:`.report` summarises a table and draws
performance profiles. :mod:`.machine` describes the machine a row ran on.
"""
