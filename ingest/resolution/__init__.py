"""Resolution: from mentions in papers to one node per real-world concept.

The stages, each a module of its own:

- ``names``: what a written name says on its own: its key, the generic words
  around a name ("ImageNet dataset", "ResNet-50 backbone") and whether it is
  written as a name;
- ``known_names``: the gazetteer of well-known datasets and models;
- ``usage``: how one mention is used in its sentence ("trained on X", "X
  backbone");
- ``readings``: one paper's mentions read into occurrences of name groups
  (acronyms, self-references, what the paper proposes);
- ``decisions``: what a name group is (its one label) and which groups are one
  concept (spelling variants), and the concept they make;
- ``specificity``: how specific a concept is;
- ``state``: the corpus-wide state (every paper's occurrences, the acronyms
  defined, each group's decision) kept in SQLite, so that an ingest
  re-decides only the groups its papers touch.

``ingest.resolve.resolve`` runs them over papers in memory; ``ingest.concept_layer``
keeps the state beside the store and writes what changed.
"""
