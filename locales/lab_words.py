"""The words of lab/'s codes: what the application layer notes or refuses, put into words where it is shown.

lab/ says a Reason (core/reasons.py), a code and its values, as core does; each code's English is
here, marked for the catalogs, and locales/words.py's said() makes the sentence in the language of
the screen that shows it. Each entry: (template, {field: format}), or a function of the values where a plural needs one; a format is a Python format spec
for a number, or one of the names locales/words.py's _shown() knows: "clause" (a reason or error said
without its full stop), "utc" (a moment), "settings" (setting names), "init" (an initialisation), "message"
(an N_() message), "run" (a compared run, by what sets it apart), "quoted" (text a person typed, shortened and
escaped), "runs at steps" ((run id, step) pairs).
"""

import datetime
import re
import time

from babel.dates import format_datetime

import locales
from locales import N_, _, ngettext

LAB_WORDS = {
    # --- lab/live_run.py: a learner's run in the store --------------------------------------------------
    "lab.store_unreachable": (N_("The run store cannot be reached, so this run is kept in memory only for now: "
                                 "training goes on, and your steps are saved as soon as the store is back."), {}),
    "lab.link_unreachable": (N_("The run in this link cannot be opened now: {reason}"), {}),
    "lab.link_malformed": (N_("The run id in this link is not one Backprop Lab makes, so a fresh run was started."), {}),
    "lab.link_not_found": (N_("The run in this link was not found (it may have been removed after a long time "
                              "unused), so a fresh run was started."), {}),
    "lab.link_unusable": (N_("The run in this link cannot be used ({reason}), so a fresh run was started."),
                          {"reason": "clause"}),
    "lab.past_unreachable": (N_("the run store cannot be reached, so this run's past cannot be read now"), {}),
    "lab.log_mismatch": (N_("the stored log does not lead to this run's position"), {}),
    "lab.branch_unreachable": (N_("branching needs the run store, which cannot be reached now"), {}),
    "lab.class_ended_click": (N_("This run's class has ended, so its runs are read-only: the last click was not "
                                 "kept."), {}),
    "lab.moved_on": (N_("This run was moved on in another tab or window (to step {step}): this tab now shows it as "
                        "it is stored, and its last click was not applied. Press the button again to go on."),
                     {"step": ","}),
    "lab.changed_elsewhere": (N_("This run changed elsewhere in a way this tab cannot follow, so this tab's model "
                                 "goes on as a new run (a new link); the other one is kept."), {}),
    # --- lab/stored_runs.py: runs as the store keeps them -----------------------------------------------
    "lab.too_many_branches": (N_("run {run} descends from more than {most} branches"), {}),
    "lab.keyframe_misfit": (N_("run {run}'s keyframe at {position} does not fit its log"), {}),
    # --- lab/session.py: what a session may do now ------------------------------------------------------
    "lab.viewing_past": (N_("a past step is being viewed: go back to now or branch from it before training"), {}),
    "lab.no_such_step": (N_("there is no step {step}: this run has steps 0 … {last}"), {"step": ",", "last": ","}),
    "lab.class_no_upload": (N_("in a class, runs start from the lesson's settings, not from an uploaded "
                               "checkpoint"), {}),
    # --- lab/classroom.py: a class and its members ------------------------------------------------------
    "lab.viewing_student": (N_("This is {name}'s run, opened read-only from the class dashboard: nothing you do "
                               "here changes it."), {}),
    "lab.class_ended": (N_("Your class ended on {end}: its runs are read-only now."), {"end": "utc"}),
    "lab.join_unreachable": (N_("the run store cannot be reached now, so no one can join a class"), {}),
    "lab.class_unreachable": (N_("the run store cannot be reached now, so the class cannot be opened"), {}),
    "lab.locked": (N_("your class locks {settings}, so it stays as the lesson sets it"), {"settings": "settings"}),
    # --- lab/comparison.py: runs side by side -----------------------------------------------------------
    "lab.compared_run_notice": (N_("{run}: {notice}"), {"run": "run"}),
    "lab.set_from_seed": (N_("{what}, each a new run from {where}."), {"what": "message"}),
    "lab.theta0_of_seed": (N_("the initial weights θ0 of seed {seed} ({init} initialisation)"), {"init": "init"}),
    "lab.theta0_of_checkpoint": (N_("the initial weights θ0 carried by the checkpoint the Train screen's run started "
                                    "from (they are not what seed {seed} gives, so each run is stored as starting "
                                    "from a checkpoint of them)"), {}),
    "lab.opened_by_links": (N_("{count} stored runs opened by their links."), {}),
    "lab.text_too_long": (N_("that text is {length} characters long; run links and ids take far fewer, so it was not "
                             "read"), {"length": ","}),
    "lab.not_a_run_id": (N_("{text} is not a run id or a run link (a run id is 22 letters, digits, '-' or '_')"),
                         {"text": "quoted"}),
    "lab.no_run_named": (N_("no run was named"), {}),
    "lab.how_many_named": lambda values: ngettext("a comparison holds {low} to {high} runs; {count} was named",
                                                  "a comparison holds {low} to {high} runs; {count} were named",
                                                  values["count"]).format(**values),
    "lab.compare_unreachable": (N_("the run store cannot be reached now, so stored runs cannot be opened; try again "
                                   "shortly"), {}),
    "lab.run_class_ended": (N_("run {run} belongs to a class that has ended, so it is read-only"), {"run": "quoted"}),
    "lab.run_not_found": (N_("run {run} was not found (it may have been removed after a long time unused)"),
                          {"run": "quoted"}),
    "lab.run_unusable": (N_("run {run} cannot be used ({reason})"), {"run": "quoted", "reason": "quoted error"}),
    "lab.runs_at_steps": (N_("(the runs: {runs})"), {"runs": "runs at steps"}),
}


def utc_moment(seconds: float) -> str:
    """A moment in UTC, the month named in this thread's language ("05 December 2026 at 23:00 UTC")."""
    language = locales.language()
    pattern = "dd MMMM y" if language == "en" else "d MMMM y"  # Greek writes the day without a leading zero
    moment = time.gmtime(seconds)
    when = datetime.datetime(*moment[:6], tzinfo=datetime.timezone.utc)
    return _("{date} at {time} UTC").format(date=format_datetime(when, pattern, locale=language),
                                             time=time.strftime("%H:%M", moment))


def quoted(text: str, most: int = 40) -> str:
    """User text shown in a message: shortened, and with Markdown's special characters escaped."""
    short = text if len(text) <= most else text[:most] + "…"
    return "“" + re.sub(r"([\\`*_\[\]()#!<>|{}$~&])", r"\\\1", short) + "”"
