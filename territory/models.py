from django.db import models

from relais.text import place_key


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region_code = models.CharField("code région", max_length=3)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    class Kind(models.TextChoices):
        CA = "CA", "communauté d'agglomération"
        CC = "CC", "communauté de communes"
        CU = "CU", "communauté urbaine"
        METRO = "METRO", "métropole"
        MET69 = "MET69", "métropole de Lyon"

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=5, choices=Kind.choices)
    population = models.PositiveIntegerField("population", default=0)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ept(models.Model):
    """Établissement public territorial of the Métropole du Grand Paris."""

    code = models.CharField("code", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)

    class Meta:
        verbose_name = "EPT"
        verbose_name_plural = "EPT"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, text):
        """Communes whose name, INSEE code or postcode matches what was typed (accents ignored)."""
        text = (text or "").strip()
        if not text:
            return self.none()
        if text.isdigit() and len(text) == 5:
            return self.filter(models.Q(code=text) | models.Q(postcodes__code=text)).distinct()
        if text.isdigit():
            return self.filter(postcodes__code__startswith=text).distinct()
        if len(text) == 5 and text[:2].upper() in {"2A", "2B"}:
            return self.filter(code=text.upper())
        key = place_key(text)
        return self.filter(search_name__startswith=key) | self.filter(search_name__contains=f" {key}")


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=200)
    search_name = models.CharField("nom normalisé", max_length=200, db_index=True, editable=False)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    ept = models.ForeignKey(Ept, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    population = models.PositiveIntegerField("population", default=0)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["departement", "search_name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = place_key(self.name)
        super().save(*args, **kwargs)

    @property
    def label(self):
        codes = ", ".join(postcode.code for postcode in self.postcodes.all())
        return f"{self.name} ({codes})" if codes else self.name


class Postcode(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postcodes")
    code = models.CharField("code postal", max_length=5, db_index=True)

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="postcode_unique_per_commune")]

    def __str__(self):
        return self.code
