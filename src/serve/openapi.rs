//! The OpenAPI 3.0 description served at `/v1/openapi.json`, written by hand next to the
//! routes it describes ([`super::api`], [`super::akismet`]).

use serde_json::{json, Value};

/// The document.
pub fn document() -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": error}}});
    let form = json!({"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/AkismetForm"}}});
    let plain = |d: &str| json!({"description": d, "content": {"text/plain": {"schema": {"type": "string"}}}});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "moderate serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The moderate pipeline as a service: allow / flag / block verdicts with reasons. \
                            Verdict records are exactly those of `moderate run`. Responses that judge carry \
                            X-Moderate-Config, the hash of the config used."
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Comment": {
                    "type": "object",
                    "description": "The fields of a JSONL record (names from [input.fields]); unknown keys are ignored, a key sent twice is refused.",
                    "required": ["body"],
                    "properties": {
                        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "body": {"type": "string", "description": "also content / text / comment_text / comment / message"},
                        "author": {"type": "string", "nullable": true},
                        "kind": {"type": "string", "enum": ["comment", "pingback", "trackback"]},
                        "author_url": {"type": "string", "nullable": true},
                        "author_email": {"type": "string", "nullable": true},
                        "ip": {"type": "string", "nullable": true},
                        "created_at": {"type": "string", "nullable": true},
                        "post_id": {"type": "string", "nullable": true},
                        "parent": {"type": "string", "nullable": true}
                    }
                },
                "Verdict": {
                    "type": "object",
                    "required": ["id", "verdict", "score"],
                    "properties": {
                        "id": {"type": "string"},
                        "verdict": {"type": "string", "enum": ["allow", "flag", "block"]},
                        "score": {"type": "number"},
                        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
                        "censored": {
                            "type": "string",
                            "description": "The body with the matched words masked (censor action); on allow and flag only"
                        }
                    }
                },
                "Reason": {
                    "type": "object",
                    "required": ["rule", "category", "message", "matches"],
                    "properties": {
                        "rule": {"type": "string"},
                        "category": {"type": "string"},
                        "action": {"type": "string", "enum": ["censor", "flag", "block"]},
                        "score": {"type": "number"},
                        "message": {"type": "string"},
                        "counted_by": {"type": "string"},
                        "matches": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "text": {"type": "string"}}
                        }}
                    }
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "field"],
                    "properties": {
                        "error": {"type": "string"},
                        "field": {"type": "string", "nullable": true},
                        "index": {"type": "integer", "description": "the comment of a batch at fault"}
                    }
                },
                "AkismetForm": {
                    "type": "object",
                    "properties": {
                        "api_key": {"type": "string"}, "key": {"type": "string"}, "blog": {"type": "string"},
                        "comment_content": {"type": "string"}, "comment_author": {"type": "string"},
                        "comment_author_email": {"type": "string"}, "comment_author_url": {"type": "string"},
                        "user_ip": {"type": "string"}, "comment_type": {"type": "string"},
                        "permalink": {"type": "string"}, "comment_date_gmt": {"type": "string"}
                    }
                }
            }
        },
        "security": [{"token": []}],
        "paths": {
            "/v1/check": {"post": {
                "summary": "Judge one comment, a JSON array of comments, or NDJSON",
                "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"oneOf": [
                        {"$ref": "#/components/schemas/Comment"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}
                    ]}},
                    "application/x-ndjson": {"schema": {"type": "string", "description": "one Comment per line"}}
                }},
                "responses": {
                    "200": {"description": "one verdict per comment, in order (an object, an array, or NDJSON as sent)",
                            "content": {"application/json": {"schema": {"oneOf": [
                                {"$ref": "#/components/schemas/Verdict"},
                                {"type": "array", "items": {"$ref": "#/components/schemas/Verdict"}}]}},
                                        "application/x-ndjson": {"schema": {"type": "string"}}}},
                    "400": err("bad input: malformed JSON, wrong type, duplicate key, missing body, invalid UTF-8"),
                    "401": err("missing or wrong token"),
                    "408": err("the body took too long to arrive"),
                    "413": err("body, comment or batch above the limit"),
                    "415": err("content type is not JSON or NDJSON")
                }
            }},
            "/healthz": {"get": {"summary": "Liveness", "security": [],
                                  "responses": {"200": {"description": "{\"status\":\"ok\"}"}}}},
            "/v1/status": {"get": {"summary": "Config hash, rule count, uptime, last reload and its error",
                                    "responses": {"200": {"description": "status object"}}}},
            "/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0"}}}},
            "/metrics": {"get": {"summary": "Prometheus text format", "responses": {"200": {"description": "metrics"}}}},
            "/1.1/verify-key": {"post": {"summary": "Akismet verify-key", "security": [],
                "requestBody": {"content": form}, "responses": {"200": plain("valid or invalid")}}},
            "/1.1/comment-check": {"post": {"summary": "Akismet comment-check: true for flag/block, false for allow", "security": [],
                "requestBody": {"content": form},
                "responses": {"200": plain("true / false; X-akismet-pro-tip: discard on block"),
                              "400": err("bad form"), "413": err("too large"), "415": err("not a form")}}},
            "/1.1/submit-spam": {"post": {"summary": "Record a moderator's spam decision (labeled JSONL)", "security": [],
                "requestBody": {"content": form}, "responses": {"200": plain("Thanks for making the web a better place.")}}},
            "/1.1/submit-ham": {"post": {"summary": "Record a moderator's ham decision (labeled JSONL)", "security": [],
                "requestBody": {"content": form}, "responses": {"200": plain("Thanks for making the web a better place.")}}}
        }
    })
}
