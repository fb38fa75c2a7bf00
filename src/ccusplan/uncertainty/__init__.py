"""Planning under uncertainty: a case's ``[uncertainty]`` table (:mod:`.spec`), samples
drawn from it (:mod:`.samples`) and applied to the case and its network, and the sweep
that solves every sample through ``bench``'s machinery and summarises the plans
(:mod:`.sweep`)."""
