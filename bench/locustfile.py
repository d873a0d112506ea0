"""What a professional does in Relais, for the load test (``python -m bench.load``, see bench/README.md).

Each simulated professional signs in once, then clicks with a pause of 0 to 4 seconds between two pages (no
pause when ``RELAIS_LOAD_WAIT`` is ``0``: the saturation run). A référent or counsellor opens their home, the
people they follow, their records and carnets, « Mes personnes » and « Mes alertes », and searches a person by
name (posted, as the page does); an orientation manager works the orientation worklist. Who signs in, and which
records they may open, comes from the plan that the runner writes (``RELAIS_LOAD_PLAN``): this file does not
import Django.
"""

import atexit
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task

PLAN = json.loads(Path(os.environ["RELAIS_LOAD_PLAN"]).read_text(encoding="utf-8"))
PASSWORD = PLAN["password"]
_accounts = itertools.cycle(PLAN["professionals"])
_managers = itertools.cycle(PLAN["managers"])
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WAIT = between(0, 4) if os.environ.get("RELAIS_LOAD_WAIT", "1") != "0" else constant(0)

# Every request, one line (when it ended, its page, its time in ms, failed or not), when the runner asks for it
# (``RELAIS_LOAD_LOG``): the runner reads from it the percentiles of each phase of the run.
if os.environ.get("RELAIS_LOAD_LOG"):
    _log = open(os.environ["RELAIS_LOAD_LOG"], "w", encoding="utf-8")  # noqa: SIM115 (open for the whole run)
    atexit.register(_log.close)

    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, exception, **kwargs):
        _log.write(f"{time.time():.3f};{name};{response_time:.1f};{int(exception is not None)}\n")


class Professional(FastHttpUser):
    """locust's lighter HTTP client (geventhttpclient): on a machine whose cores the server shares, the load
    generator takes less of them for the same clicks than with ``requests``."""

    abstract = True
    wait_time = WAIT

    def _sign_in(self, account):
        self.account = account
        page = self.client.get("/connexion/", name="connexion (formulaire)")
        token = CSRF_INPUT.search(page.text or "")
        with self.client.post(
            "/connexion/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "email": account["email"],
                "password": PASSWORD,
            },
            headers={"Referer": self.host + "/connexion/"},
            name="connexion (envoi)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Signed in: redirected to the home page; refused: the form again.
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "/connexion/" in location:
                response.failure("connexion refusée")
                return
        self.client.get(location, name="accueil")

    def _cookie(self, name):
        return next((cookie.value for cookie in self.client.cookiejar if cookie.name == name), "")

    def _post(self, url, data, name):
        data = {**data, "csrfmiddlewaretoken": self._cookie("csrftoken")}
        return self.client.post(url, data=data, name=name, headers={"Referer": self.host + url})


class Referent(Professional):
    """A référent or counsellor with a caseload."""

    weight = 4

    def on_start(self):
        self._sign_in(next(_accounts))

    @task(3)
    def home(self):
        self.client.get("/", name="accueil")

    @task(2)
    def my_people(self):
        self.client.get("/personnes/", name="personnes suivies")

    @task(4)
    def open_a_record(self):
        if self.account["people"]:
            self.client.get(f"/personnes/{random.choice(self.account['people'])}/", name="fiche d'une personne")

    @task(3)
    def open_a_carnet(self):
        if self.account["people"]:
            self.client.get(f"/carnet/{random.choice(self.account['people'])}/", name="carnet d'une personne")

    @task(1)
    def caseload(self):
        self.client.get("/mes-personnes/", name="mes personnes")

    @task(1)
    def alerts(self):
        self.client.get("/carnet/alertes/", name="mes alertes")

    @task(2)
    def search(self):
        if self.account["searches"]:
            typed = random.choice(self.account["searches"])
            self._post("/personnes/", typed, "recherche d'une personne (POST)")


class OrientationManager(Professional):
    """An orientation manager of the Département."""

    weight = 1

    def on_start(self):
        self._sign_in(next(_managers))

    @task(1)
    def home(self):
        self.client.get("/", name="accueil")

    @task(4)
    def worklist(self):
        self.client.get("/orientations/", name="orientations à décider")

    @task(2)
    def overdue(self):
        self.client.get("/orientations/?vue=en_retard", name="orientations en retard")
