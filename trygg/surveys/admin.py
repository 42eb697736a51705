from django.contrib import admin

from trygg.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "question_set", "year", "kind", "respondents", "is_demo"]
    list_filter = ["municipality", "question_set", "year"]
