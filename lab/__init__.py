"""The middle layer: what a learner's session does, between the screens (pages/, ui/) and the maths (core/) and store (runs/).

Plain Python, no streamlit and no numpy maths of its own: a session and the only ways to change it
(session.py, with memo.py), its run kept in step with the store, replayed and branched (live_run.py),
runs as the store keeps them (stored_runs.py), runs trained in lockstep (comparison.py), a class
(classroom.py) and the thread that writes its students' progress (progress_writer.py), the guided
path's questions and answers (guided_path.py), and a run taken home as a notebook (notebook.py).
Pages call ui/ to draw and lab/ to do.
"""
