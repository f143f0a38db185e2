# Exports CSV : la ligne d'en-tête.

## Candidatures (applications.csv).

csv-id = Identifiant
csv-status = Statut
csv-eligibility = Éligibilité
csv-automatic-check-eligible = Éligible au contrôle automatique
csv-applicant-kind = Type de candidat
csv-structure-name = Structure
csv-siret = SIRET
csv-rna = RNA
csv-contact-name = Contact
csv-contact-email = E-mail du contact
csv-contact-phone = Téléphone du contact
csv-action-title = Titre de l'action
csv-summary = Résumé
csv-action-start = Début de l'action
csv-action-end = Fin de l'action
csv-locations = Lieux
csv-video-url = Vidéo
csv-website = Site web
csv-submitted-at = Déposée le
csv-applicant-id = Compte du candidat
csv-description = Description
csv-review-reason = Motif de l'examen
csv-reviewed-at = Examinée le
csv-public = Publique
csv-shortlisted = Présélectionnée
csv-audition-starts-at = Début de l'audition
csv-audition-place = Lieu de l'audition
csv-created-at = Créée le
csv-updated-at = Modifiée le
csv-answer = Réponse : { $criterion }

## Classements (rankings.csv).

csv-rank = Rang
csv-application-id = Candidature
csv-total = Total
csv-spread = Écart entre jurés
csv-scorecards = Grilles d'évaluation
csv-missing = Grilles manquantes
csv-normalized = Total normalisé
csv-normalized-rank = Rang normalisé
csv-tied = Ex aequo
csv-mean = Moyenne : { $criterion }

## Résultats publiés (results.csv).

csv-prize = Prix
csv-kind = Type
csv-candidate = Candidat
csv-outcome = Résultat
csv-votes = Voix
csv-turnout = Participation
