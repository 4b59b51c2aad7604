export {
  inputFieldsOf,
  type FieldKind,
  type InputField,
  type InputsSchema,
  type PropertySchema,
} from "./fields";
export {
  compileSkillInputs,
  ERROR_KEYWORD,
  fieldErrorLine,
  fieldErrorText,
  type FieldErrors,
  type InputsValidation,
} from "./validate";
export { fromFormValues, toFormValues, type FormValues } from "./form-values";
export { summaryOrderOf, titleInputOf, TITLE_KEYWORD } from "./summary";
