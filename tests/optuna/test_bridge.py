"""The Optuna bridge with real storages and the real `hearth trial` (tests/optuna/run.sh).

Usage: python test_bridge.py HEARTH_BINARY   (from the repository root)
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import optuna
from optuna.trial import TrialState

from hearth_optuna import distributions

HEARTH = os.path.abspath(sys.argv.pop(1))
CSV = os.path.abspath("static/iris.csv")
TARGET = "species"
SPACE = {
    "model": {"categorical": {"choices": ["linear", "mlp"]}},
    "width": {"int": {"low": 4, "high": 16}},
    "learning_rate": {"float": {"low": 0.001, "high": 0.1, "log": True}},
    "epochs": {"fixed": {"value": 6}},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bridge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="hearth-optuna-")
        cls.space = os.path.join(cls.work, "space.json")
        with open(cls.space, "w") as f:
            json.dump(SPACE, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def bridge(self, *args, check=True):
        return subprocess.run([sys.executable, "-m", "hearth_optuna", *args], capture_output=True,
                              text=True, timeout=600, check=False)

    def run_args(self):
        return ["--hearth", HEARTH, "--csv", CSV, "--target", TARGET, "--space", self.space]

    def two_workers(self, storage, study, trials_each=4):
        """Two worker processes on one study, at once."""
        workers = [subprocess.Popen(
            [sys.executable, "-m", "hearth_optuna", "run", "--storage", storage, "--study", study,
             *self.run_args(), "--trials", str(trials_each), "--pruner", "median", "--seed", str(i)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            self.assertEqual(worker.returncode, 0, err)

    def check_study(self, storage, name, trials):
        study = optuna.load_study(study_name=name, storage=storage)
        self.assertEqual(len(study.trials), trials)
        space = study.user_attrs["space"]
        for trial in study.trials:
            self.assertIn(trial.state, (TrialState.COMPLETE, TrialState.PRUNED), trial)
            self.assertIsNotNone(distributions(space, trial.params), f"{trial.params} is in the space")
            self.assertTrue(trial.intermediate_values, "every epoch was reported")
            if trial.state == TrialState.COMPLETE:
                steps = len(trial.intermediate_values)
                if trial.params["model"] == "linear":
                    # Fitted by Newton's method: it may converge before the last epoch.
                    self.assertTrue(1 <= steps <= 6, trial)
                else:
                    self.assertEqual(steps, 6)
                self.assertTrue(0.0 <= trial.value, trial.value)
        writers = {trial.user_attrs["worker"] for trial in study.trials}
        self.assertEqual(len(writers), 2, "both workers ran trials")
        return study

    def test_the_trial_protocol_prunes_when_told(self):
        params = json.dumps({"model": "mlp", "width": 8, "learning_rate": 0.01})
        result = subprocess.run(
            [HEARTH, "trial", CSV, "--target", TARGET, "--space", self.space, "--params", params],
            input="continue\nprune\n", capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        events = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([e["event"] for e in events], ["epoch", "epoch", "pruned"])
        self.assertEqual([e["step"] for e in events], [1, 2, 2])

    def test_two_workers_on_a_journal_file_and_the_dashboard_lists_it(self):
        journal = os.path.join(self.work, "journal.log")
        storage = f"journal:{journal}"
        self.two_workers(storage, "iris-journal")
        from hearth_optuna import open_storage
        self.check_study(open_storage(storage), "iris-journal", 8)

        port = free_port()
        dashboard = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "optuna-dashboard"), journal,
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            listed = None
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/studies", timeout=2) as r:
                        listed = json.load(r)
                    break
                except OSError:
                    time.sleep(0.2)
            self.assertIsNotNone(listed, "optuna-dashboard answered")
            names = [s["study_name"] for s in listed["study_summaries"]]
            self.assertIn("iris-journal", names)
        finally:
            dashboard.terminate()
            dashboard.wait()

    def test_a_hearth_study_seeds_optuna_and_the_best_trial_comes_back_as_a_model(self):
        page = os.path.join(self.work, "page-study.json")
        made = subprocess.run([HEARTH, "search", CSV, "--target", TARGET, "--space", self.space,
                               "--trials", "5", "--sampler", "random", "--out", page],
                              capture_output=True, text=True, timeout=600)
        self.assertEqual(made.returncode, 0, made.stderr)
        with open(page) as f:
            complete = [t for t in json.load(f)["trials"] if t["state"] == "complete"]
        storage = f"journal:{os.path.join(self.work, 'seeded.log')}"
        seeded = self.bridge("seed", "--storage", storage, "--study", "seeded", *self.run_args(), "--from", page)
        self.assertEqual(seeded.returncode, 0, seeded.stderr)
        self.assertEqual(json.loads(seeded.stdout), {"added": len(complete), "skipped": 0})
        ran = self.bridge("run", "--storage", storage, "--study", "seeded", *self.run_args(), "--trials", "2")
        self.assertEqual(ran.returncode, 0, ran.stderr)
        from hearth_optuna import open_storage
        study = optuna.load_study(study_name="seeded", storage=open_storage(storage))
        self.assertEqual(len(study.trials), len(complete) + 2)
        self.assertEqual(max(t.value for t in study.trials[:len(complete)]),
                         max(t["values"][0] for t in complete))

        model = os.path.join(self.work, "best.hearth")
        best = self.bridge("best", "--storage", storage, "--study", "seeded", "--out", model)
        self.assertEqual(best.returncode, 0, best.stderr)
        answer = json.loads(best.stdout)
        self.assertEqual(answer["trial"], study.best_trial.number)
        self.assertAlmostEqual(answer["retrained"], study.best_value, places=6)
        predicted = subprocess.run([HEARTH, "predict", model, CSV], capture_output=True, text=True, timeout=300)
        self.assertEqual(predicted.returncode, 0, predicted.stderr)
        self.assertEqual(len(predicted.stdout.strip().splitlines()), 151)

    @unittest.skipUnless(glob.glob("/usr/lib/postgresql/*/bin/initdb"), "PostgreSQL is not installed")
    def test_two_workers_on_postgresql(self):
        bin_dir = os.path.dirname(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1])
        data = os.path.join(self.work, "pg")
        os.makedirs(data)
        # PostgreSQL refuses to run as root: as root, its own user runs it.
        as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")
            shutil.chown(data, "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        subprocess.run([*as_user, f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "hearth"],
                       check=True, capture_output=True)
        subprocess.run([*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(data, "log"),
                        "-o", f"-p {port} -h 127.0.0.1 -k {data}", "start"], check=True, capture_output=True)
        try:
            url = f"postgresql+psycopg://hearth@127.0.0.1:{port}/postgres"
            self.two_workers(url, "iris-postgresql")
            self.check_study(url, "iris-postgresql", 8)
        finally:
            subprocess.run([*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
