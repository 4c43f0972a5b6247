"""The generated OpenAPI document, whole, against the OpenAPI 3.1 specification."""

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate


@pytest.mark.slow
def test_the_document_is_valid_openapi_3_1(testapp):
    document = testapp.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_would_catch_a_3_0_style_document(testapp):
    # What the document once was: 3.1-style type arrays declared as 3.0.3.
    from openapi_spec_validator import OpenAPIV30SpecValidator
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = testapp.get("/api/v1/openapi.json").json
    document["openapi"] = "3.0.3"
    with pytest.raises(OpenAPIValidationError):
        validate(document, cls=OpenAPIV30SpecValidator)
