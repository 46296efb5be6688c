# mkspy.mk: drive the loop spec → gen → check → score → evolve with make.
#
# Include it from a Makefile beside your spec and data, set what differs, and run `make mkspy`:
#
#     SPEC  = spec.json
#     TRAIN = train.jsonl
#     VAL   = val.jsonl
#     MAX_CALLS = 300
#     include /path/to/share/mkspy/mkspy.mk
#
# For a DSPy program you already have, name the .py file instead (SPEC = rag.py works too), with
# its metric and, when its constructor needs them, its arguments:
#
#     PROGRAM      = rag.py
#     METRIC       = metric.json      # mkspy-spec --metric: the spec form of the metric
#     MODULE       = RAG              # only when the file has several dspy.Module programs
#     PROGRAM_ARGS = passages=3       # mkspy-score --program-arg, one per word
#
# Targets:
#   mkspy         seeds, then the loop until mkspy-evolve writes nothing, then best.py and report.html
#   mkspy-seeds   $(RUN)/seeds.jsonl: the spec's seed candidates, rendered
#   mkspy-loop    one generation after another, appending to $(RUN)/archive.jsonl (rerun to resume)
#   mkspy-best    $(RUN)/best.jsonl and $(RUN)/best.py: the best fully evaluated program (for a
#                 PROGRAM, also $(RUN)/best.json: its state, for program.load()); with TEST
#                 set, also $(RUN)/best-test.jsonl: the best scored on the test set
#   mkspy-report  $(RUN)/report.html: every candidate against metric calls, lineage, the frontier's
#                 val examples, mutations (drawn from mkspy-evolve --explain)
#   mkspy-clean   remove $(RUN)
#
# The LM comes from the environment (MKSPY_LM, MKSPY_LM_BASE, MKSPY_LM_KEY, MKSPY_LM_ARGS; the
# reflection LM from MKSPY_REFLECTION_LM…, else the same). LM_ARGS gives both LMs extra dspy.LM
# arguments (LM_ARGS="max_tokens=512 temperature=0"); REFLECTION_LM_ARGS the reflection LM's
# own instead. Everything the loop knows is in the archive, so an
# interrupted `make mkspy-loop` resumes where it stopped, and never scores a pair twice.

SPEC      ?= spec.json
# A user's DSPy program (a .py file) to optimize in place of a spec; a SPEC ending in .py is one.
PROGRAM   ?= $(filter %.py,$(SPEC))
METRIC    ?=
MODULE    ?=
PROGRAM_ARGS ?=
TRAIN     ?= train.jsonl
VAL       ?= val.jsonl
# Optional: a test set the best program is scored on at the end (shown in the report).
TEST      ?=
RUN       ?= mkspy-run
CHILDREN  ?= 2
SEED      ?= 0
# The budget in metric calls; empty: none (then EVOLVE_FLAGS="--max-cost USD" or --patience ends the search).
MAX_CALLS ?= 300
JOBS      ?= 4
# Directory of the mkspy binaries with a trailing slash (e.g. .build/release/); empty: on PATH.
MKSPY_BIN ?=
LM_ARGS            ?=
REFLECTION_LM_ARGS ?= $(LM_ARGS)
EVOLVE_FLAGS ?=
# mkspy-spec's, e.g. --module CLASS --metric metric.json when SPEC is a program (.py).
SPEC_FLAGS   ?=
CHECK_FLAGS  ?=
SCORE_FLAGS  ?=
MKSPY_SHARE_DIR ?= $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3

MKSPY_EVOLVE = $(MKSPY_BIN)mkspy-evolve --train $(TRAIN) --val $(VAL) --children $(CHILDREN) -j $(JOBS) --seed $(SEED) $(if $(MAX_CALLS),--max-calls $(MAX_CALLS)) \
               $(foreach a,$(REFLECTION_LM_ARGS),--reflection-lm-arg $(a)) $(EVOLVE_FLAGS)
MKSPY_SCORE  = $(MKSPY_BIN)mkspy-score --data $(TRAIN) --data $(VAL) -j $(JOBS) $(foreach a,$(LM_ARGS),--lm-arg $(a)) \
               $(foreach a,$(PROGRAM_ARGS),--program-arg $(a)) $(SCORE_FLAGS)
MKSPY_SPEC   = $(MKSPY_BIN)mkspy-spec $(if $(PROGRAM),$(if $(METRIC),--metric $(METRIC)) $(if $(MODULE),--module $(MODULE)))
SPEC_INPUT   = $(or $(PROGRAM),$(SPEC))
# The best candidate's state, as `jq .state` writes it: the file the program's load() reads.
BEST_STATE   = $(PYTHON) -c 'import json,sys; json.dump(json.loads(sys.stdin.readline())["state"], sys.stdout, indent=2, sort_keys=True); print()'

.PHONY: mkspy mkspy-seeds mkspy-loop mkspy-best mkspy-report mkspy-clean

mkspy: mkspy-loop mkspy-best mkspy-report

mkspy-seeds: $(RUN)/seeds.jsonl

$(RUN)/seeds.jsonl: $(SPEC_INPUT) $(METRIC)
	mkdir -p $(RUN)
	$(MKSPY_SPEC) $(SPEC_FLAGS) $(SPEC_INPUT) | $(MKSPY_BIN)mkspy-gen > $@.tmp && mv $@.tmp $@

# One generation per pass, one pipeline: evolve reads the seeds and the whole archive, and what it
# writes streams on (what it decides before a reflection is scored while the reflection LM runs);
# next.jsonl keeps the step, and an empty one ends the loop. mkspy-score's status 1 (a candidate
# mkspy-check failed was refused) goes on; 2 or 3 stops.
# A crash can leave the archive's last line cut short: a newline first, so that the next append
# starts a line of its own (the readers also recover a record glued onto such a line).
mkspy-loop: $(RUN)/seeds.jsonl
	touch $(RUN)/archive.jsonl
	[ -z "$$(tail -c 1 $(RUN)/archive.jsonl)" ] || echo >> $(RUN)/archive.jsonl
	while $(MKSPY_EVOLVE) $(RUN)/seeds.jsonl $(RUN)/archive.jsonl | tee $(RUN)/next.jsonl | \
	      $(MKSPY_BIN)mkspy-gen | $(MKSPY_BIN)mkspy-check $(CHECK_FLAGS) | $(MKSPY_SCORE) >> $(RUN)/archive.jsonl; \
	      s=$$?; [ $$s -le 1 ] || exit $$s; [ -s $(RUN)/next.jsonl ]; do :; done

mkspy-best:
	$(MKSPY_EVOLVE) --best $(RUN)/archive.jsonl > $(RUN)/best.jsonl
	$(PYTHON) -c 'import json,sys; print(json.loads(sys.stdin.readline())["source"], end="")' < $(RUN)/best.jsonl > $(RUN)/best.py
	$(if $(PROGRAM),$(BEST_STATE) < $(RUN)/best.jsonl > $(RUN)/best.json)
	$(if $(TEST),$(MKSPY_BIN)mkspy-score --data $(TEST) -j $(JOBS) $(foreach a,$(LM_ARGS),--lm-arg $(a)) $(foreach a,$(PROGRAM_ARGS),--program-arg $(a)) $(SCORE_FLAGS) $(RUN)/best.jsonl > $(RUN)/best-test.jsonl)

mkspy-report:
	$(MKSPY_EVOLVE) --explain $(RUN)/archive.jsonl | \
	  $(PYTHON) $(MKSPY_SHARE_DIR)/evolve/report.py $(if $(TEST),--test $(RUN)/best-test.jsonl) --out $(RUN)/report.html

mkspy-clean:
	rm -rf $(RUN)
